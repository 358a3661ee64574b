//! The PDF renderer: Typst as a library, offline, in-process.
//!
//! The layout is a fixed Typst template (`report.typ`, compiled into the
//! binary). The report itself reaches it as data, not as markup: the model is
//! serialised to JSON and read by the template with `json("/report.json")`,
//! and photos are files of the same virtual world. A supplier named
//! `#set page(…)` or `*bold*` is a string to Typst and prints as itself:
//! there is no escaping step anyone could forget.
//!
//! The [`World`] here knows exactly those files, the bundled fonts, and the
//! report's as-of day as "today"; nothing is read from disk or the network.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::Datelike;
use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Smart};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use super::model::Report;
use crate::error::{Error, Result};

const TEMPLATE: &str = include_str!("report.typ");

/// Fonts besides `typst-assets`' `DejaVu Sans Mono` (see `assets/fonts/README.md`).
const FONT_FILES: [&[u8]; 4] = [
    include_bytes!("../../../assets/fonts/DejaVuSans.ttf"),
    include_bytes!("../../../assets/fonts/DejaVuSans-Bold.ttf"),
    include_bytes!("../../../assets/fonts/NotoEmoji-Regular.ttf"),
    include_bytes!("../../../assets/fonts/DroidSansFallback.ttf"),
];

/// Parsed once per process: a UI writing several reports pays once.
struct Shared {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mono = typst_assets::fonts().flat_map(|data| Font::iter(Bytes::new(data)));
        let ours = FONT_FILES.iter().flat_map(|data| Font::iter(Bytes::new(*data)));
        let fonts: Vec<Font> = ours.chain(mono.filter(|f| f.info().family == "DejaVu Sans Mono")).collect();
        Shared { library: LazyHash::new(Library::default()), book: LazyHash::new(FontBook::from_fonts(&fonts)), fonts }
    })
}

struct ReportWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

fn file_id(path: &str) -> FileId {
    FileId::new(None, VirtualPath::new(path))
}

impl World for ReportWorld {
    fn library(&self) -> &LazyHash<Library> {
        &shared().library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &shared().book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files.get(&id).cloned().ok_or_else(|| FileError::NotFound(id.vpath().as_rootless_path().into()))
    }

    fn font(&self, index: usize) -> Option<Font> {
        shared().fonts.get(index).cloned()
    }

    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        self.today
    }
}

/// Typesets `report` and returns the PDF's bytes.
pub fn render(report: &Report) -> Result<Vec<u8>> {
    let meta = report.meta();
    let json = serde_json::to_vec(report).map_err(|e| Error::Invalid(format!("report data: {e}")))?;
    let mut files = HashMap::from([(file_id("/report.json"), Bytes::new(json))]);
    for photo in report.photos() {
        if let (Some(path), Some(image)) = (&photo.path, &photo.image) {
            files.insert(file_id(path), Bytes::new(image.bytes.clone()));
        }
    }
    let day = chrono::NaiveDate::parse_from_str(&meta.as_of, "%Y-%m-%d").ok();
    let today =
        day.and_then(|d| Datetime::from_ymd(d.year(), u8::try_from(d.month()).ok()?, u8::try_from(d.day()).ok()?));
    let world = ReportWorld { main: Source::new(file_id("/report.typ"), TEMPLATE.to_owned()), files, today };
    let document: PagedDocument = typst::compile(&world).output.map_err(|errors| typeset_error(&errors))?;
    let options = typst_pdf::PdfOptions { ident: Smart::Custom(&meta.title), ..typst_pdf::PdfOptions::default() };
    typst_pdf::pdf(&document, &options).map_err(|errors| typeset_error(&errors))
}

/// A template or engine failure: a bug of casebook's, reported, not a panic.
fn typeset_error(errors: &[SourceDiagnostic]) -> Error {
    let messages: Vec<String> = errors.iter().map(|e| e.message.to_string()).collect();
    Error::Invalid(format!("the PDF could not be typeset (a casebook bug, please report it): {}", messages.join("; ")))
}
