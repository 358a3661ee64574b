//! `casebook report audit|supplier --format pdf|html` through the binary:
//! the PDF's text (`pdftotext`) and images (`pdfimages -list`), the HTML
//! parsed by a real HTML5 parser; attached photos embedded, a missing one a
//! placeholder and a warning; hostile text (Typst and HTML markup, long
//! notes, CJK, right-to-left, emoji) printed as text; drafts watermarked;
//! the database never written over. Needs poppler-utils (`.ci/run`
//! installs it).

#![allow(clippy::unwrap_used)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use casebook::report::{self, Format, Subject};
use common::{Run, Sandbox, run};
use scraper::{Html, Selector};

const AS_OF: &str = "2026-11-15";

fn day() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 11, 15).unwrap()
}

fn report(sandbox: &Sandbox, kind: &str, key: &str, format: &str, out: &Path) -> Run {
    let out = out.to_str().unwrap();
    sandbox.run(&["--as-of", AS_OF, "report", kind, key, "--format", format, "-o", out])
}

/// The text of a PDF, as `pdftotext` extracts it (reading order).
fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed by the report tests: apt-get install -y poppler-utils");
    assert!(out.status.success(), "pdftotext failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `text` without white space or bidirectional controls: what survives
/// line wrapping and `pdftotext`'s layout.
fn squeeze(text: &str) -> String {
    text.chars()
        .filter(|c| {
            !c.is_whitespace()
                && !matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

#[track_caller]
fn assert_has(haystack: &str, needle: &str) {
    assert!(squeeze(haystack).contains(&squeeze(needle)), "lacks {needle:?}:\n{haystack}");
}

/// The image lines of `pdfimages -list` (after its two header lines).
fn pdf_images(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdfimages").arg("-list").arg(pdf).output().expect("pdfimages (poppler-utils)");
    assert!(out.status.success());
    String::from_utf8(out.stdout).unwrap().lines().skip(2).map(str::to_owned).collect()
}

fn png(width: u32, height: u32, rgb: [u8; 3]) -> Vec<u8> {
    let img = image::RgbImage::from_pixel(width, height, image::Rgb(rgb));
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png).unwrap();
    out
}

fn jpeg(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(width, height, |x, y| {
        image::Rgb([u8::try_from(x % 256).unwrap(), u8::try_from(y % 256).unwrap(), 90])
    });
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg).unwrap();
    out
}

/// The evidence item numbers of audit `reference`.
fn evidence_ids(sandbox: &Sandbox, reference: &str) -> Vec<i64> {
    let store = sandbox.store();
    let read = store.read();
    read.evidence(read.require_audit(reference).unwrap()).unwrap().into_iter().map(|(id, _)| id).collect()
}

/// Attaches `bytes` as `name` to evidence `id` through the binary.
fn attach(sandbox: &Sandbox, id: i64, name: &str, bytes: &[u8]) -> PathBuf {
    let path = sandbox.write(name, bytes);
    sandbox.run(&["attach", &id.to_string(), path.to_str().unwrap()]).assert_success();
    path
}

/// Where `casebook attach` keeps a copy of `bytes`: the database's file
/// store, `<db>.files/<first two hex digits>/<sha256>`.
fn stored_copy(sandbox: &Sandbox, bytes: &[u8]) -> PathBuf {
    use sha2::{Digest, Sha256};
    let sha = common::hex(&Sha256::digest(bytes));
    let mut store = sandbox.db.file_name().unwrap().to_owned();
    store.push(".files");
    sandbox.db.with_file_name(store).join(&sha[..2]).join(sha)
}

fn parse(html_file: &Path) -> Html {
    let text = std::fs::read_to_string(html_file).unwrap();
    let doc = Html::parse_document(&text);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    doc
}

fn select<'a>(doc: &'a Html, css: &str) -> Vec<scraper::ElementRef<'a>> {
    doc.select(&Selector::parse(css).unwrap()).collect()
}

/// No element loads anything from the network, and no script at all.
fn assert_self_contained(doc: &Html, raw: &str) {
    assert!(select(doc, "script").is_empty(), "a <script> element");
    for el in select(doc, "[src], [href]") {
        for attr in ["src", "href"] {
            if let Some(value) = el.value().attr(attr) {
                assert!(value.starts_with("data:") || value.starts_with('#'), "{attr}={value:.60}");
            }
        }
    }
    assert!(!raw.contains("http://") && !raw.contains("https://"), "a URL in the HTML");
    assert!(!raw.contains("@import") && !raw.contains("url("), "CSS that could fetch");
}

#[test]
fn audit_report_pdf_and_html_carry_the_record_photos_and_seal() {
    let sandbox = Sandbox::demo();
    let ids = evidence_ids(&sandbox, "A-2026-014");
    attach(&sandbox, ids[0], "IMG_2041.png", &png(640, 480, [200, 40, 40]));
    attach(&sandbox, ids[1], "IMG_2042.jpg", &jpeg(1700, 1275));
    let before = sandbox.snapshot();

    let pdf = sandbox.path("a.pdf");
    let out = report(&sandbox, "audit", "A-2026-014", "pdf", &pdf);
    out.assert_success().assert_stdout_has("evaluated as of 2026-11-15");
    assert!(out.stderr.is_empty(), "no warning expected: {}", out.stderr);
    let text = pdf_text(&pdf);
    for expected in [
        "A-2026-014",
        "Armor Case Works (Shenzhen) Co., Ltd.",
        "SZ-ARMOR",
        "Evaluated as of 2026-11-15",
        concat!("casebook ", env!("CARGO_PKG_VERSION")),
        "Grade",
        "Findings",
        "Seal",
        "Content hash (SHA-256)",
        "casebook check --expect-head",
        "IMG_2041.png",
        "1600×1200 px",
    ] {
        assert_has(&text, expected);
    }
    let store = sandbox.store();
    let row = store.read().audit(store.read().require_audit("A-2026-014").unwrap()).unwrap();
    assert!(text.contains(&row.grade.unwrap().to_string()));
    let seal = store.read().audit_seal(&row).unwrap().unwrap();
    assert!(text.contains(&seal.content_hash), "the content hash is printed whole");
    let (head_seq, head_hash) = store.read().chain_head().unwrap();
    assert!(text.contains(&format!("--expect-head {head_seq}:{head_hash}")), "{text}");
    assert!(!row.audit.findings.is_empty());
    for finding in &row.audit.findings {
        assert_has(&text, &finding.description);
    }
    let images = pdf_images(&pdf);
    assert_eq!(images.len(), 2, "both photos embedded: {images:?}");
    assert!(images.iter().any(|l| l.contains(" 640 ") && l.contains(" 480 ")), "{images:?}");
    assert!(images.iter().any(|l| l.contains(" 1600 ") && l.contains(" 1200 ")), "scaled to 1600: {images:?}");

    let html = sandbox.path("a.html");
    report(&sandbox, "audit", "A-2026-014", "html", &html).assert_success();
    let raw = std::fs::read_to_string(&html).unwrap();
    let doc = parse(&html);
    assert_self_contained(&doc, &raw);
    let imgs = select(&doc, "figure img");
    assert_eq!(imgs.len(), 2);
    assert!(imgs[0].value().attr("src").unwrap().starts_with("data:image/png;base64,"));
    assert!(imgs[1].value().attr("src").unwrap().starts_with("data:image/jpeg;base64,"));
    assert!(!select(&doc, "svg").is_empty(), "inline SVG score bars");
    let body = doc.root_element().text().collect::<String>();
    assert!(body.contains(&seal.content_hash) && body.contains("Armor Case Works"));
    assert!(select(&doc, "style").iter().any(|s| s.inner_html().contains("@media print")));
    sandbox.assert_unchanged(&before);
}

#[test]
fn every_demo_audit_and_supplier_renders_in_both_formats() {
    let sandbox = Sandbox::demo();
    let store = sandbox.store();
    let read = store.read();
    let mut subjects = Vec::new();
    for (id, supplier) in read.suppliers().unwrap() {
        for audit in read.audit_headers(id).unwrap() {
            subjects.push((Subject::Audit(audit.audit.id.clone()), supplier.name.clone(), audit.audit.id.clone()));
        }
        subjects.push((Subject::Supplier(supplier.code.clone()), supplier.name.clone(), supplier.code.clone()));
    }
    assert!(subjects.len() >= 28, "{} subjects", subjects.len());
    for (subject, name, key) in &subjects {
        let (built, warnings) = report::build(&store, subject, day()).unwrap();
        assert!(warnings.is_empty());
        let pdf = sandbox.path(&subject.file_name(Format::Pdf));
        std::fs::write(&pdf, report::render(&built, Format::Pdf).unwrap()).unwrap();
        let text = pdf_text(&pdf);
        assert_has(&text, key);
        assert_has(&text, name);
        let html = String::from_utf8(report::render(&built, Format::Html).unwrap()).unwrap();
        let doc = Html::parse_document(&html);
        assert!(doc.errors.is_empty(), "{key}: {:?}", doc.errors);
        assert_self_contained(&doc, &html);
        assert!(doc.root_element().text().collect::<String>().contains(name.as_str()), "{key}");
    }
}

#[test]
fn supplier_report_states_verdict_matrix_flags_yield_and_terms() {
    let sandbox = Sandbox::demo();
    let pdf = sandbox.path("s.pdf");
    report(&sandbox, "supplier", "DG-SWING", "pdf", &pdf).assert_success();
    let text = pdf_text(&pdf);
    let store = sandbox.store();
    let assessment = casebook::workflow::assess_code(&store, "DG-SWING", day()).unwrap();
    assert_eq!(assessment.verdict.label(), "partial", "the demo's story for DG-SWING");
    let chart_title = "DG-SWING: p chart, attribute rules";
    for expected in
        ["ODM verdict", "partial", "Claims × pillars", "Flags", "Yield", chart_title, "FPY by month", "Defect Pareto"]
    {
        assert_has(&text, expected);
    }
    assert!(!assessment.flags.is_empty());
    for flag in &assessment.flags {
        assert_has(&text, &flag.message);
    }
    let html = sandbox.path("s.html");
    report(&sandbox, "supplier", "DG-SWING", "html", &html).assert_success();
    let doc = parse(&html);
    let text = doc.root_element().text().collect::<String>();
    assert!(text.contains("Commercial terms") && text.contains("typical for ODM"));
    let charts = select(&doc, ".chart > svg > title");
    assert_eq!(charts.len(), 1, "the control chart, inline");
    assert!(charts[0].text().collect::<String>().starts_with(chart_title));
    let matrix = select(&doc, "table")[0].text().collect::<String>();
    assert!(matrix.contains("ODM claim"), "the first table is the claims × pillars matrix");
}

#[test]
fn a_missing_photo_is_a_placeholder_and_a_warning_not_a_failure() {
    let sandbox = Sandbox::demo();
    let ids = evidence_ids(&sandbox, "A-2026-014");
    let (lost, edited) = (png(50, 50, [0, 0, 200]), png(50, 50, [0, 200, 0]));
    attach(&sandbox, ids[0], "lost.png", &lost);
    attach(&sandbox, ids[1], "edited.png", &edited);
    // The originals may go: the report reads the file store's copies.
    std::fs::remove_file(sandbox.path("lost.png")).unwrap();
    std::fs::remove_file(stored_copy(&sandbox, &lost)).unwrap();
    let changed = stored_copy(&sandbox, &edited);
    std::fs::remove_file(&changed).unwrap();
    std::fs::write(&changed, png(60, 60, [9, 9, 9])).unwrap();
    for format in ["pdf", "html"] {
        let out_file = sandbox.path(&format!("r.{format}"));
        let out = report(&sandbox, "audit", "A-2026-014", format, &out_file);
        out.assert_success().assert_stderr_has("warning:").assert_stderr_has("lost.png").assert_stderr_has("missing");
        out.assert_stderr_has("changed since it was attached");
        let text = if format == "pdf" {
            assert!(pdf_images(&out_file).is_empty(), "no image embedded for a missing or altered file");
            pdf_text(&out_file)
        } else {
            let doc = parse(&out_file);
            assert!(select(&doc, "figure img").is_empty());
            assert_eq!(select(&doc, ".placeholder").len(), 2);
            doc.root_element().text().collect()
        };
        assert_eq!(text.matches("Photo not available").count(), 2, "{format}: {text}");
    }
}

#[test]
fn a_draft_is_watermarked_and_unsealed() {
    let sandbox = Sandbox::demo();
    let pdf = sandbox.path("d.pdf");
    report(&sandbox, "audit", "A-2026-041", "pdf", &pdf).assert_success();
    let text = pdf_text(&pdf);
    assert!(text.contains("DRAFT"), "{text}");
    assert!(text.contains("not sealed"));
    assert!(!text.contains("--expect-head"), "a draft has no seal to verify");
    let html = sandbox.path("d.html");
    report(&sandbox, "audit", "A-2026-041", "html", &html).assert_success();
    let doc = parse(&html);
    assert_eq!(select(&doc, ".watermark")[0].text().collect::<String>(), "DRAFT");
    let submitted = sandbox.path("s.html");
    report(&sandbox, "audit", "A-2026-014", "html", &submitted).assert_success();
    assert!(select(&parse(&submitted), ".watermark").is_empty());
}

#[test]
fn the_amendment_chain_is_listed() {
    let sandbox = Sandbox::demo();
    let html = sandbox.path("am.html");
    report(&sandbox, "audit", "A-2026-019", "html", &html).assert_success();
    let doc = parse(&html);
    let text = doc.root_element().text().collect::<String>();
    assert!(text.contains("Amendment chain"));
    assert!(text.contains("A-2026-012") && text.contains("A-2026-019 (this report)"), "{text}");
}

#[test]
fn never_writes_over_the_database_and_bad_subjects_write_nothing() {
    let sandbox = Sandbox::demo();
    let before = sandbox.snapshot();
    let db = sandbox.db.clone();
    let wal = PathBuf::from(format!("{}-wal", db.display()));
    for target in [&db, &wal] {
        let out = report(&sandbox, "audit", "A-2026-014", "pdf", target);
        out.assert_failure().assert_stderr_has("is the casebook database");
    }
    let link = sandbox.path("innocent.pdf");
    std::fs::hard_link(&db, &link).unwrap();
    report(&sandbox, "supplier", "SZ-ARMOR", "html", &link)
        .assert_failure()
        .assert_stderr_has("is the casebook database");
    sandbox.assert_unchanged(&before);

    let nothing = sandbox.path("none.pdf");
    report(&sandbox, "audit", "A-1999-999", "pdf", &nothing).assert_failure().assert_stderr_has("no audit");
    report(&sandbox, "supplier", "NO-SUCH", "html", &nothing).assert_failure().assert_stderr_has("NO-SUCH");
    assert!(!nothing.exists());
    let early =
        sandbox.run(&["--as-of", "2026-01-01", "report", "audit", "A-2026-014", "--format", "pdf", "-o", "x.pdf"]);
    early.assert_failure().assert_stderr_has("after the as-of day");
    let usage = run(sandbox.command().args(["report", "audit", "A-2026-014", "--format", "docx", "-o", "x"]));
    assert_eq!(usage.code, Some(2), "clap names the valid formats: {}", usage.stderr);
    assert!(usage.stderr.contains("pdf") && usage.stderr.contains("html"));
}

/// Typst and HTML markup, CJK, right-to-left scripts and emoji.
const HOSTILE_NAME: &str =
    "#set page(width: 1cm) </td><script>alert(1)</script> *bold* $x^2$ 中文供应商 日本語 한국어 שלום مرحبا 😀🎉";

fn hostile_dossier() -> String {
    let sentence = "Checked the #show rule <b>and</b> [link](x) `code` 检查了 בדיקה فحص 🙂. ";
    let long_note: String = sentence.repeat(2000 / sentence.chars().count() + 1).chars().take(2000).collect();
    assert_eq!(long_note.chars().count(), 2000);
    serde_json::json!({
        "format": "casebook-dossier/1",
        "suppliers": [{
            "code": "XX-HOSTILE", "name": HOSTILE_NAME, "country": "CN", "city": "深圳 <i>Shenzhen</i>",
            "business_type": "manufacturer", "models": ["odm"],
            "claims": [{"capability": "material_selection", "source": "website", "stated_on": "2026-01-05",
                        "statement": "#pagebreak() 我们设计 ✨"}],
            "audits": [{"id": "A-2026-900", "auditor": "<img src=x onerror=alert(1)>", "visited_on": "2026-06-01",
                        "kind": "on_site", "status": "submitted", "summary": "]) #{ panic() } 总结",
                        "evidence": [{"pillar": "material_compatibility", "kind": "test_report",
                                      "strength": "observed", "collected_on": "2026-06-01",
                                      "description": "peel test \\\" }} #image(\"/etc/passwd\")"}],
                        "answers": [{"question": "LG-01", "result": "yes", "note": long_note}],
                        "findings": [{"severity": "major", "description": "<script>x</script> #raw(\"f\") 缺少记录",
                                      "owner": "QA & \"co\"", "due_on": "2026-06-15", "status": "open"}]}],
            "lots": []
        }]
    })
    .to_string()
}

#[test]
fn hostile_text_prints_as_text_in_both_formats() {
    let sandbox = Sandbox::demo();
    let imported = sandbox.import_bytes("hostile.json", hostile_dossier().as_bytes());
    assert!(imported.committed, "{:?}", imported.problems);

    let pdf = sandbox.path("h.pdf");
    report(&sandbox, "audit", "A-2026-900", "pdf", &pdf).assert_success();
    let text = pdf_text(&pdf);
    for piece in [
        "#set page(width: 1cm)",
        "</td><script>alert(1)</script>",
        "*bold*",
        "$x^2$",
        "中文供应商",
        "日本語",
        "한국어",
        "😀",
        "🎉",
        "🙂",
        "<img src=x onerror=alert(1)>",
        "#image(\"/etc/passwd\")",
        "#{ panic() }",
        "#raw(\"f\")",
        "缺少记录",
    ] {
        assert_has(&text, piece);
    }
    // Right-to-left words come out whole (pdftotext may print them in either order).
    for word in ["שלום", "مرحبا"] {
        let reversed: String = word.chars().rev().collect();
        assert!(text.contains(word) || text.contains(&reversed), "PDF text lacks {word:?}");
    }
    let note_words = text.matches("检查了").count();
    assert!(note_words >= 20, "the 2,000-character note is printed whole ({note_words} sentences seen)");

    let html = sandbox.path("h.html");
    report(&sandbox, "audit", "A-2026-900", "html", &html).assert_success();
    let raw = std::fs::read_to_string(&html).unwrap();
    let doc = parse(&html);
    assert_self_contained(&doc, &raw);
    assert!(select(&doc, "img, i, b").is_empty(), "markup from the database became elements");
    let body: String = doc.root_element().text().collect();
    for piece in [HOSTILE_NAME, "<img src=x onerror=alert(1)>", "深圳 <i>Shenzhen</i>", "QA & \"co\""] {
        assert!(body.contains(piece), "HTML text lacks {piece:?}");
    }
    assert_eq!(select(&doc, "title")[0].text().collect::<String>(), "Audit report A-2026-900");

    let supplier_pdf = sandbox.path("hs.pdf");
    report(&sandbox, "supplier", "XX-HOSTILE", "pdf", &supplier_pdf).assert_success();
    let text = pdf_text(&supplier_pdf);
    assert_has(&text, "#pagebreak() 我们设计 ✨");
    assert_has(&text, HOSTILE_NAME.split(" ש").next().unwrap());
    let supplier_html = sandbox.path("hs.html");
    report(&sandbox, "supplier", "XX-HOSTILE", "html", &supplier_html).assert_success();
    let doc = parse(&supplier_html);
    assert!(select(&doc, "script, img").is_empty());
    assert!(doc.root_element().text().collect::<String>().contains(HOSTILE_NAME));
}
