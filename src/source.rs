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

/// The largest spec vpcgen reads: hundreds of endpoints fit in a few dozen kilobytes.
pub const SPEC_MAX_BYTES: u64 = 8 * 1024 * 1024;

/// Why a spec file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(std::io::Error),
    NotUtf8,
    /// Not a regular file (a FIFO or a device would block or never end), named by its kind.
    NotAFile(&'static str),
    /// Larger than the limit, in bytes.
    TooLarge(u64),
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
        let mut bytes = read_bounded(path, 4 * 1024, SPEC_MAX_BYTES)?;
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

/// What kind of file system entry `meta` describes, when it is not a regular file or directory.
pub fn special_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return Some("a FIFO");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() || t.is_block_device() {
            return Some("a device");
        }
    }
    (!meta.is_file() && !meta.is_dir()).then_some("not a regular file")
}

/// The bytes of the regular file `path` (links followed), at most `limit` of them: a FIFO or a
/// device is refused before it is opened, since reading one could block or never end.
pub(crate) fn read_bounded(path: &Path, expected: usize, limit: u64) -> Result<Vec<u8>, ReadError> {
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if let Some(kind) = special_kind(&meta).filter(|_| !meta.is_dir()) {
        return Err(ReadError::NotAFile(kind));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(limit));
    }
    let mut bytes = Vec::with_capacity(expected);
    std::fs::File::open(path)
        .map_err(ReadError::Io)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    // The file may have grown since it was measured.
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit));
    }
    Ok(bytes)
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
