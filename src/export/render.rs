//! DOT to a picture through the Graphviz installed on the machine: the
//! layout engine chosen by size, Graphviz's own warnings handed back.

use std::io::{Read, Write};
use std::process::{Command, Stdio};

/// From this many entities, or relations, on, `dot`'s layered layout takes
/// minutes and gives a wall of crossings; `sfdp` (force-directed,
/// multilevel) finishes.
pub const SFDP_FROM: usize = 300;
pub const SFDP_FROM_RELATIONS: usize = 1000;

/// The layout engine for a diagram of `entities` entities and `relations` relations.
pub fn engine_for(entities: usize, relations: usize) -> &'static str {
    if entities >= SFDP_FROM || relations >= SFDP_FROM_RELATIONS {
        "sfdp"
    } else {
        "dot"
    }
}

#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("Graphviz is not installed (no `{0}` on PATH): install it with `apt-get install graphviz` or `brew install graphviz`, or export --format dot")]
    Missing(String),
    #[error("Graphviz `{engine}` failed ({status}): {stderr}")]
    Failed { engine: String, status: String, stderr: String },
    #[error("cannot run Graphviz `{0}`: {1}")]
    Io(String, std::io::Error),
}

/// What Graphviz said while drawing (font warnings among them), one line each.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub warnings: Vec<String>,
}

/// Renders `dot` in `format` (a `-T` name: svg, png, pdf) with `engine`, into `out`.
pub fn render(dot: &str, format: &str, engine: &str, out: &mut dyn Write) -> Result<Rendered, RenderError> {
    let mut child = match Command::new(engine).arg(format!("-T{format}")).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn() {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(RenderError::Missing(engine.to_string())),
        Err(e) => return Err(RenderError::Io(engine.to_string(), e)),
    };
    let io = |e| RenderError::Io(engine.to_string(), e);
    // Graphviz reads all its input before it writes, but a writer thread keeps
    // a large input from blocking against a full stderr pipe.
    let mut stdin = child.stdin.take().expect("stdin is piped");
    let text = dot.to_string();
    let feeder = std::thread::spawn(move || stdin.write_all(text.as_bytes()));
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let errs = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stderr.read_to_string(&mut s);
        s
    });
    let mut stdout = child.stdout.take().expect("stdout is piped");
    std::io::copy(&mut stdout, out).map_err(io)?;
    let status = child.wait().map_err(io)?;
    let fed = feeder.join().unwrap_or(Ok(()));
    let said = errs.join().unwrap_or_default();
    if !status.success() {
        return Err(RenderError::Failed { engine: engine.to_string(), status: status.to_string(), stderr: said.trim().to_string() });
    }
    fed.map_err(io)?;
    Ok(Rendered { warnings: said.lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_diagrams_are_laid_out_by_sfdp() {
        assert_eq!(engine_for(SFDP_FROM - 1, SFDP_FROM_RELATIONS - 1), "dot");
        assert_eq!(engine_for(SFDP_FROM, 0), "sfdp");
        assert_eq!(engine_for(2, SFDP_FROM_RELATIONS), "sfdp");
    }

    #[test]
    fn a_missing_engine_is_told_apart_from_a_failing_one() {
        let err = render("digraph {}", "svg", "no-such-graphviz-engine", &mut Vec::new()).unwrap_err();
        assert!(matches!(err, RenderError::Missing(ref e) if e == "no-such-graphviz-engine"), "{err}");
    }
}
