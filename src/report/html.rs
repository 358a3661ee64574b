//! The HTML renderer: one self-contained file. CSS is inline, photos are
//! `data:` URIs, bars and charts are inline SVG; there is no script and
//! nothing is fetched, so the file reads the same offline, years later. A
//! print stylesheet sets A4 pages and page breaks.
//!
//! Every string from the model goes through [`esc`]; markup is only ever
//! written by this file.

use std::fmt::Write as _;

use base64::Engine as _;

use super::model::{AuditReport, Bar, Field, Photo, Report, SupplierReport, Table};

const STYLE: &str = include_str!("report.css");

/// Text for HTML element content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub fn render(report: &Report) -> Vec<u8> {
    let meta = report.meta();
    let mut h = String::with_capacity(64 * 1024);
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"casebook {}\">\n<title>{}</title>\n<style>\n{STYLE}</style>\n</head>\n<body>\n",
        esc(&meta.casebook_version),
        esc(&meta.title)
    );
    if meta.draft {
        h.push_str("<div class=\"watermark\" aria-hidden=\"true\">DRAFT</div>\n");
    }
    let _ = writeln!(
        h,
        "<header class=\"cover\"><h1>{}</h1><p class=\"quiet\">Evaluated as of {} · casebook {}</p></header>",
        esc(&meta.title),
        esc(&meta.as_of),
        esc(&meta.casebook_version)
    );
    match report {
        Report::Audit(r) => audit(&mut h, r),
        Report::Supplier(r) => supplier(&mut h, r),
    }
    let _ = write!(h, "<footer class=\"quiet\">{}</footer>\n</body>\n</html>\n", esc(&meta.footer));
    h.into_bytes()
}

fn fields(h: &mut String, list: &[Field], class: &str) {
    let _ = write!(h, "<dl class=\"fields {class}\">");
    for f in list {
        let _ = write!(h, "<dt>{}</dt><dd>{}</dd>", esc(&f.label), esc(&f.value));
    }
    h.push_str("</dl>\n");
}

fn table(h: &mut String, t: &Table) {
    if !t.rows.is_empty() {
        h.push_str("<table>\n<thead><tr>");
        for c in &t.columns {
            let _ = write!(h, "<th>{}</th>", esc(c));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for row in &t.rows {
            h.push_str("<tr>");
            for cell in row {
                let _ = write!(h, "<td>{}</td>", esc(cell));
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }
    note(h, t.note.as_deref());
}

fn note(h: &mut String, text: Option<&str>) {
    if let Some(text) = text {
        let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(text));
    }
}

/// A score bar as inline SVG, with its figures beside it.
fn bar(h: &mut String, b: &Bar) {
    const WIDTH: f64 = 160.0;
    let filled = b.fraction.map_or(0.0, |f| (f * WIDTH).clamp(0.0, WIDTH));
    let _ = writeln!(
        h,
        "<div class=\"bar\"><span class=\"label\">{}</span>\
         <svg width=\"160\" height=\"10\" viewBox=\"0 0 160 10\" role=\"img\" aria-label=\"{}\">\
         <rect width=\"160\" height=\"10\" rx=\"1\" fill=\"#e4e4e4\"/>\
         <rect width=\"{filled:.1}\" height=\"10\" rx=\"1\" fill=\"#3a7d44\"/></svg>\
         <span class=\"value\">{}</span><span class=\"quiet\">{}</span></div>",
        esc(&b.label),
        esc(&b.value),
        esc(&b.value),
        esc(&b.detail)
    );
}

fn photo(h: &mut String, p: &Photo) {
    h.push_str("<figure>");
    match &p.image {
        Some(image) => {
            let data = base64::engine::general_purpose::STANDARD.encode(&image.bytes);
            let _ = write!(
                h,
                "<img src=\"data:{};base64,{data}\" width=\"{}\" height=\"{}\" alt=\"{}\">",
                image.mime.as_str(),
                image.width,
                image.height,
                esc(&p.caption)
            );
        }
        None => {
            let _ = write!(
                h,
                "<div class=\"placeholder\"><strong>Photo not available</strong><br>{}</div>",
                esc(p.problem.as_deref().unwrap_or_default())
            );
        }
    }
    let _ = writeln!(h, "<figcaption>{}</figcaption></figure>", esc(&p.caption));
}

fn audit(h: &mut String, r: &AuditReport) {
    h.push_str("<section class=\"columns\"><div><h2>Supplier</h2>");
    fields(h, &r.supplier, "");
    h.push_str("</div><div><h2>Visit</h2>");
    fields(h, &r.visit, "");
    h.push_str("</div></section>\n");
    if let Some(summary) = &r.summary {
        let _ = writeln!(h, "<section><h2>Summary</h2><p>{}</p></section>", esc(summary));
    }
    let _ = writeln!(
        h,
        "<section><h2>Grade</h2><p><span class=\"grade\">{}</span> <span class=\"quiet\">{}</span></p>",
        esc(&r.grade),
        esc(&r.grade_basis)
    );
    bar(h, &r.overall);
    for s in &r.sections {
        bar(h, s);
    }
    if r.critical_no.is_empty() {
        h.push_str("<p class=\"quiet\">No critical question was answered no.</p>\n");
    } else {
        h.push_str("<h3>Critical questions answered no</h3><ul>");
        for c in &r.critical_no {
            let _ = write!(h, "<li>{}</li>", esc(c));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("</section>\n");
    answers(h, r);
    evidence(h, r);
    findings(h, r);
    if !r.amendments.rows.is_empty() {
        h.push_str("<section><h2>Amendment chain</h2>");
        table(h, &r.amendments);
        h.push_str("</section>\n");
    }
    seal(h, r);
}

fn answers(h: &mut String, r: &AuditReport) {
    h.push_str("<section class=\"page\"><h2>Answers</h2>\n");
    for s in &r.answers {
        let _ = writeln!(h, "<h3>{} — {}</h3>", esc(&s.label), esc(&s.score));
        h.push_str("<table><thead><tr><th>Question</th><th>Text and note</th><th>Answer</th></tr></thead><tbody>\n");
        for a in &s.answers {
            let critical = if a.critical { " <span class=\"critical\">(critical)</span>" } else { "" };
            let note = a.note.as_ref().map(|n| format!("<br><em class=\"answer-note\">{}</em>", esc(n)));
            let _ = writeln!(
                h,
                "<tr><td>{}{critical}</td><td>{}{}</td><td class=\"result {}\">{}</td></tr>",
                esc(&a.code),
                esc(&a.question),
                note.unwrap_or_default(),
                esc(&a.result.replace('/', "")),
                esc(&a.result)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

fn evidence(h: &mut String, r: &AuditReport) {
    h.push_str("<section class=\"page\"><h2>Evidence</h2>\n");
    if r.evidence.is_empty() {
        h.push_str("<p class=\"quiet\">No evidence was recorded.</p>\n");
    }
    for e in &r.evidence {
        let _ = write!(
            h,
            "<div class=\"evidence\"><p><strong>Evidence {}</strong> — {} · {} · {} · collected {}<br>{}",
            e.number,
            esc(&e.pillar),
            esc(&e.kind),
            esc(&e.strength),
            esc(&e.collected_on),
            esc(&e.description)
        );
        if let Some(reference) = &e.reference {
            let _ = write!(h, "<br><span class=\"quiet\">Reference:</span> {}", esc(reference));
        }
        if !e.documents.is_empty() {
            let _ = write!(h, "<br><span class=\"quiet\">Attached documents:</span> {}", esc(&e.documents.join("; ")));
        }
        h.push_str("</p>\n");
        if !e.photos.is_empty() {
            h.push_str("<div class=\"photos\">\n");
            for p in &e.photos {
                photo(h, p);
            }
            h.push_str("</div>\n");
        }
        h.push_str("</div>\n");
    }
    h.push_str("</section>\n");
}

fn findings(h: &mut String, r: &AuditReport) {
    h.push_str("<section><h2>Findings</h2>\n");
    if r.findings.is_empty() {
        h.push_str("<p class=\"quiet\">No finding was raised.</p>\n");
    }
    for g in &r.findings {
        let _ = writeln!(h, "<h3>{}</h3>", esc(&g.severity));
        h.push_str("<table><thead><tr><th>#</th><th>Finding</th><th>Owner</th><th>Due</th><th>Status</th></tr></thead><tbody>\n");
        for f in &g.findings {
            let closure =
                f.closure.as_ref().map(|c| format!("<br><span class=\"quiet\">Closure evidence:</span> {}", esc(c)));
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                f.number,
                esc(&f.description),
                closure.unwrap_or_default(),
                esc(&f.owner),
                esc(&f.due_on),
                esc(&f.status)
            );
        }
        h.push_str("</tbody></table>\n");
    }
    h.push_str("</section>\n");
}

fn seal(h: &mut String, r: &AuditReport) {
    h.push_str("<section class=\"seal\"><h2>Seal</h2>\n");
    fields(h, &r.seal.lines, "mono");
    for n in &r.seal.notes {
        let _ = writeln!(h, "<p>{}</p>", esc(n));
    }
    if let Some(command) = &r.seal.verify {
        let _ = writeln!(h, "<pre class=\"command\">{}</pre>", esc(command));
    }
    h.push_str("</section>\n");
}

fn supplier(h: &mut String, r: &SupplierReport) {
    h.push_str("<section>");
    fields(h, &r.supplier, "");
    if let Some(notes) = &r.notes {
        let _ = write!(h, "<p><span class=\"quiet\">Notes:</span> {}</p>", esc(notes));
    }
    let _ = writeln!(
        h,
        "</section>\n<section><h2>ODM verdict</h2><p><span class=\"grade\">{}</span> \
         <span class=\"quiet\">latest audit grade: {}</span></p><p class=\"quiet\">{}</p>",
        esc(&r.verdict),
        esc(&r.grade),
        esc(&r.verdict_basis)
    );
    h.push_str("<h3>Claims × pillars</h3>");
    table(h, &r.matrix);
    h.push_str("<h3>Flags</h3>");
    table(h, &r.flags);
    h.push_str("</section>\n<section><h2>Evidence behind each pillar</h2>\n");
    for p in &r.pillars {
        let _ = writeln!(
            h,
            "<h3>{}: {}</h3><p class=\"quiet\">Required by: {}</p><p>{}</p>",
            esc(&p.label),
            esc(&p.status),
            esc(&p.required_by),
            esc(&p.detail)
        );
        table(h, &p.evidence);
    }
    for (title, t) in [("Claims", &r.claims), ("Latest audits", &r.audits), ("Open findings", &r.open_findings)] {
        let _ = write!(h, "</section>\n<section><h2>{title}</h2>\n");
        table(h, t);
    }
    h.push_str("</section>\n");
    yield_section(h, r);
    h.push_str("<section><h2>Commercial terms</h2>\n");
    table(h, &r.terms);
    for n in &r.terms_notes {
        let _ = writeln!(h, "<p>{}</p>", esc(n));
    }
    h.push_str("</section>\n");
}

fn yield_section(h: &mut String, r: &SupplierReport) {
    let y = &r.yield_section;
    h.push_str("<section class=\"page\"><h2>Yield</h2>\n");
    for line in &y.lines {
        let _ = writeln!(h, "<p>{}</p>", esc(line));
    }
    if let Some(svg) = &y.chart_svg {
        let _ = writeln!(h, "<div class=\"chart\">{}</div>", inline_svg(svg));
    }
    note(h, y.chart_note.as_deref());
    for (title, t) in [
        ("Lots breaking a run rule", &y.violations),
        ("FPY by month", &y.by_month),
        ("Defect Pareto", &y.pareto),
        ("RTY by SKU", &y.rty),
    ] {
        let _ = writeln!(h, "<h3>{title}</h3>");
        table(h, t);
    }
    h.push_str("</section>\n");
}

/// An SVG document as an element of the HTML: no XML declaration (it has no
/// place inside HTML) and no `xmlns` (the HTML parser puts `<svg>` in the SVG
/// namespace itself), so the file holds no URL at all.
fn inline_svg(document: &str) -> String {
    let body = document.trim_start();
    let body = if body.starts_with("<?xml") { body.find("?>").map_or(body, |at| &body[at + 2..]) } else { body };
    body.trim_start().replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::esc;

    proptest! {
        /// Whatever the text, an HTML5 parser reads back exactly that text,
        /// in element content and in an attribute, and no element appears.
        #[test]
        fn escaped_text_parses_back_to_itself(text in "\\PC*") {
            // HTML parsing turns CR into LF and NUL into U+FFFD by design.
            prop_assume!(!text.contains(['\r', '\0']));
            let html = format!("<p title=\"{}\">{}</p>", esc(&text), esc(&text));
            let doc = scraper::Html::parse_fragment(&html);
            let p = scraper::Selector::parse("p").unwrap();
            let any = scraper::Selector::parse("p *").unwrap();
            let el = doc.select(&p).next().unwrap();
            prop_assert_eq!(el.text().collect::<String>(), text.clone());
            prop_assert_eq!(el.value().attr("title"), Some(text.as_str()));
            prop_assert!(doc.select(&any).next().is_none());
        }
    }

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(esc("中文 שלום 😀"), "中文 שלום 😀");
    }
}
