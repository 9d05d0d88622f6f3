//! Opening inputs (a file or standard input) and outputs.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use crate::CliError;

/// Opens FILE, or standard input when it is absent or `-`.
pub fn open_input(path: Option<&Path>) -> Result<Box<dyn BufRead + Send>, CliError> {
    match path {
        None => Ok(Box::new(BufReader::new(io::stdin()))),
        Some(p) if p == Path::new("-") => Ok(Box::new(BufReader::new(io::stdin()))),
        Some(p) => {
            let f = File::open(p)
                .map_err(|e| CliError::Usage(format!("cannot open {}: {e}", p.display())))?;
            Ok(Box::new(BufReader::with_capacity(1 << 16, f)))
        }
    }
}

/// Refuses an output file that is one of the inputs (`index build --fraud f.csv -o f.csv`):
/// writing it would replace the data it is made from. Paths are compared as the files
/// they name (links and `./` resolved); an output that does not exist yet is never an
/// input.
pub fn refuse_overwriting_inputs<'a>(
    output: &Path,
    inputs: impl IntoIterator<Item = &'a Path>,
) -> Result<(), CliError> {
    let Ok(out) = output.canonicalize() else {
        return Ok(());
    };
    for input in inputs {
        if input.canonicalize().is_ok_and(|i| i == out) {
            return Err(CliError::Usage(format!(
                "{} is also an input: writing it would replace the input; choose another output file",
                output.display()
            )));
        }
    }
    Ok(())
}

/// A usage error about the file at `path`: the message names the file once (errors of
/// reading it name it already; errors of its content do not).
pub fn file_error(path: &Path, e: impl std::fmt::Display) -> CliError {
    let message = e.to_string();
    let name = path.display().to_string();
    if message.starts_with(&name) {
        CliError::Usage(message)
    } else {
        CliError::Usage(format!("{name}: {message}"))
    }
}

/// Opens the index at `path`, with errors that name it once.
pub fn open_index(path: &Path) -> Result<mikiwame::index::Index, CliError> {
    mikiwame::index::Index::open(path).map_err(|e| file_error(path, e))
}

/// A buffered standard output.
pub fn stdout() -> BufWriter<io::StdoutLock<'static>> {
    BufWriter::with_capacity(1 << 16, io::stdout().lock())
}

/// Maps a write error: a closed pipe (`| head`) ends quietly, anything else is internal.
pub fn write_error(e: io::Error) -> CliError {
    if e.kind() == io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    CliError::Internal(format!("cannot write output: {e}"))
}

/// Writes one JSON value (anything `Serialize`) as a line. A closed pipe ends quietly,
/// as [`write_error`] says.
pub fn write_json_line<W: Write, T: serde::Serialize + ?Sized>(
    out: &mut W,
    value: &T,
) -> Result<(), CliError> {
    serde_json::to_writer(&mut *out, value).map_err(|e| write_error(e.into()))?;
    out.write_all(b"\n").map_err(write_error)
}

/// Reads text input line by line, numbering the lines from 1. A line ends at `\n`, `\r\n`
/// or a lone `\r` (old Mac files; a review saw a whole such file read as one line). A byte
/// order mark at the start of the input is dropped, and so are the line endings.
///
/// A line that is not UTF-8 is given as `Err` with its number, so that it becomes an
/// error row and the lines after it are still read; only a failing read ends the input.
pub struct Lines<R> {
    input: R,
    row: u64,
    /// The last line ended with `\r`: a `\n` right after it belongs to that ending.
    after_cr: bool,
}

impl<R: BufRead> Lines<R> {
    /// Numbers the lines of `input`.
    pub fn new(input: R) -> Lines<R> {
        Lines {
            input,
            row: 0,
            after_cr: false,
        }
    }

    /// The next line's bytes without its ending; `None` at the end of the input.
    fn next_bytes(&mut self) -> io::Result<Option<Vec<u8>>> {
        let mut line = Vec::new();
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok((!line.is_empty()).then_some(line));
            }
            if std::mem::take(&mut self.after_cr) && chunk[0] == b'\n' {
                self.input.consume(1);
                continue;
            }
            match memchr::memchr2(b'\n', b'\r', chunk) {
                Some(at) => {
                    line.extend_from_slice(&chunk[..at]);
                    self.after_cr = chunk[at] == b'\r';
                    self.input.consume(at + 1);
                    return Ok(Some(line));
                }
                None => {
                    let n = chunk.len();
                    line.extend_from_slice(chunk);
                    self.input.consume(n);
                }
            }
        }
    }
}

/// One line of [`Lines`]: its number, and its text or why it has none.
pub type Line = (u64, Result<String, &'static str>);

impl<R: BufRead> Iterator for Lines<R> {
    type Item = Result<Line, CliError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = match self.next_bytes() {
            Ok(Some(buf)) => buf,
            Ok(None) => return None,
            Err(e) => return Some(Err(CliError::Usage(format!("cannot read input: {e}")))),
        };
        self.row += 1;
        if self.row == 1 && buf.starts_with(b"\xEF\xBB\xBF") {
            buf.drain(..3);
        }
        let text = String::from_utf8(buf).map_err(|_| "the line is not valid UTF-8");
        Some(Ok((self.row, text)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_drop_the_bom_and_endings_and_keep_going_past_bad_bytes() {
        let input: &[u8] = b"\xEF\xBB\xBF{\"a\":1}\r\nbad \xFF\n\nlast";
        let lines: Vec<Line> = Lines::new(input).map(|l| l.unwrap()).collect();
        assert_eq!(
            lines,
            vec![
                (1, Ok("{\"a\":1}".to_string())),
                (2, Err("the line is not valid UTF-8")),
                (3, Ok(String::new())),
                (4, Ok("last".to_string())),
            ]
        );
        // \r alone ends a line too, and \r\n split across reads is one ending.
        let input: &[u8] = b"a\rb\r\nc\r\r";
        let lines: Vec<Line> = Lines::new(input).map(|l| l.unwrap()).collect();
        let texts: Vec<_> = lines.iter().map(|l| l.1.clone().unwrap()).collect();
        assert_eq!(texts, ["a", "b", "c", ""]);
        let split = std::io::BufReader::with_capacity(2, &b"ab\r\ncd"[..]);
        let texts: Vec<_> = Lines::new(split).map(|l| l.unwrap().1.unwrap()).collect();
        assert_eq!(texts, ["ab", "cd"]);
        // A mark later in the input is text, not a mark.
        let input: &[u8] = b"a\n\xEF\xBB\xBFb";
        let second = Lines::new(input).nth(1).unwrap().unwrap();
        assert_eq!(second, (2, Ok("\u{FEFF}b".to_string())));
    }
}
