//! Source files, below every stage: a spec's path and text as read from disk (what diagnostics
//! point into), how paths are spelled (one way however they were typed) and shown in messages and
//! generated files, and how vpcgen reads the small files it works with (specs).

use std::io::Read;
use std::path::{Path, PathBuf};

/// A spec file: where it came from and its text.
#[derive(Debug, Clone)]
pub struct SpecFile {
    pub path: PathBuf,
    pub text: String,
}

/// Why a spec file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    NotUtf8,
}

impl SpecFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SpecFile {
            path: path.into(),
            text: text.into(),
        }
    }

    /// Read a spec. A batch keeps every spec's text until it ends, so the buffer gives back the
    /// room a short spec does not fill.
    pub fn read(path: &Path) -> Result<Self, ReadError> {
        let mut bytes = read_file(path, 4 * 1024).map_err(ReadError::Io)?;
        bytes.shrink_to_fit();
        let text = String::from_utf8(bytes).map_err(|_| ReadError::NotUtf8)?;
        Ok(SpecFile::new(path, text))
    }

    /// The path as the user should read it in messages and headers (forward slashes).
    pub fn display_path(&self) -> String {
        shown(&self.path)
    }
}

/// A path as messages and generated files show it: forward slashes on every platform, so output
/// is the same everywhere.
pub fn shown(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// `path` spelled one way however it was typed, so that the files it names and the command
/// recorded in their headers do not depend on the spelling (`./specs/x.yaml`, `specs//x.yaml`,
/// `out/` and the absolute path of either). Only what means the same to the file system goes:
/// `.` components, repeated and trailing separators, and the current directory at the front of
/// an absolute path. `..` stays, since `link/..` need not be where `link` is.
pub fn normalised(path: &Path) -> PathBuf {
    let lexical = |p: &Path| -> PathBuf {
        p.components()
            .filter(|c| !matches!(c, std::path::Component::CurDir))
            .collect()
    };
    let mut out = lexical(path);
    if out.is_absolute() {
        // The shell's `$PWD` may go through links that the process's own idea of its directory
        // has resolved; either names the current directory when it leads to the same place.
        let here = std::env::current_dir().ok();
        let pwd = std::env::var_os("PWD")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute() && here.is_some())
            .filter(|p| std::fs::canonicalize(p).ok() == here);
        for cwd in here.iter().chain(pwd.iter()) {
            if let Ok(rel) = out.strip_prefix(lexical(cwd)) {
                out = rel.to_path_buf();
                break;
            }
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// The bytes of `path`, read into room for `expected` bytes. Unlike `std::fs::read` it asks the
/// file system for no size first: specs are small, and a batch reads hundreds.
pub(crate) fn read_file(path: &Path, expected: usize) -> std::io::Result<Vec<u8>> {
    let mut bytes = Vec::with_capacity(expected);
    // Through `take`: a plain `File` would ask for its size to size the buffer.
    std::fs::File::open(path)?
        .take(u64::MAX)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}
