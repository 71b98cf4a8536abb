//! `cargo xtask serve`: dist/ over HTTP on 127.0.0.1, as a static host
//! (GitHub Pages) serves it. Plain files only: no rewriting, no headers but
//! the content type, so what works here works there.

use crate::Result;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

/// Serves `dir` at `http://{addr}/` until the process is stopped.
pub fn serve(dir: &Path, addr: &str) -> Result {
    let listener = TcpListener::bind(addr).map_err(|e| format!("{addr}: {e}"))?;
    eprintln!("xtask: the playground is at http://{addr}/ (Ctrl-C stops)");
    serve_on(&listener, dir);
    Ok(())
}

/// Answers every connection to `listener`, each on its own thread.
fn serve_on(listener: &TcpListener, dir: &Path) {
    for stream in listener.incoming().flatten() {
        let dir = dir.to_path_buf();
        std::thread::spawn(move || {
            let _ = answer(stream, &dir);
        });
    }
}

fn answer(mut stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    let mut request_line = String::new();
    let mut reader = BufReader::new(stream.try_clone()?);
    reader.read_line(&mut request_line)?;
    // The rest of the request (headers) is not needed.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or_default(), parts.next().unwrap_or("/"));
    let found = (method == "GET" || method == "HEAD").then(|| file_for(dir, target)).flatten();
    let (status, kind, body) = match found.and_then(|f| std::fs::read(&f).ok().map(|b| (f, b))) {
        Some((file, body)) => ("200 OK", content_type(&file), body),
        None => ("404 Not Found", "text/plain; charset=utf-8", b"not found\n".to_vec()),
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(&body)?;
    }
    stream.flush()
}

/// The file a request target names under `dir` (`index.html` for a
/// directory), or `None` when it leaves `dir` or does not exist.
fn file_for(dir: &Path, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next().unwrap_or_default();
    let decoded = percent_decode(path)?;
    let relative = Path::new(decoded.trim_start_matches('/'));
    if relative.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let file = dir.join(relative);
    let file = if file.is_dir() { file.join("index.html") } else { file };
    file.is_file().then_some(file)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or_default() {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript",
        "wasm" => "application/wasm",
        "css" => "text/css",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "webmanifest" => "application/manifest+json",
        "json" => "application/json",
        "yaml" | "yml" => "text/yaml; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn get(addr: std::net::SocketAddr, target: &str) -> String {
        let mut stream = TcpStream::connect(addr).unwrap_or_else(|e| panic!("{addr}: {e}"));
        let _ = write!(stream, "GET {target} HTTP/1.1\r\nHost: x\r\n\r\n");
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    }

    #[test]
    fn files_are_served_with_their_type_and_missing_ones_are_404() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-http-{}", std::process::id()));
        let _ = std::fs::create_dir_all(&dir);
        let _ = std::fs::write(dir.join("index.html"), "<p>hi</p>");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap_or_else(|e| panic!("{e}"));
        let addr = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
        let served = dir.clone();
        std::thread::spawn(move || serve_on(&listener, &served));
        let page = get(addr, "/?embed=1");
        assert!(page.starts_with("HTTP/1.1 200 OK\r\n"), "{page}");
        assert!(page.contains("Content-Type: text/html; charset=utf-8\r\n") && page.ends_with("<p>hi</p>"), "{page}");
        assert!(get(addr, "/missing.wasm").starts_with("HTTP/1.1 404"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn requests_stay_inside_the_served_directory() {
        let dir = std::env::temp_dir().join(format!("xtask-serve-test-{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir.join("lazy"));
        let _ = std::fs::write(dir.join("index.html"), "x");
        let _ = std::fs::write(dir.join("lazy/a b.js"), "x");
        assert_eq!(file_for(&dir, "/"), Some(dir.join("index.html")));
        assert_eq!(file_for(&dir, "/?embed=1"), Some(dir.join("index.html")));
        assert_eq!(file_for(&dir, "/lazy/a%20b.js"), Some(dir.join("lazy/a b.js")));
        assert_eq!(file_for(&dir, "/../etc/passwd"), None);
        assert_eq!(file_for(&dir, "/lazy/%2e%2e/%2e%2e/x"), None);
        assert_eq!(file_for(&dir, "/missing.js"), None);
        assert_eq!(file_for(&dir, "/%zz"), None);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
