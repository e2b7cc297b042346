//! The load itself: `connections` keep-alive HTTP/1.1 connections (spread evenly over the
//! servers given), each sending one request, reading its whole answer, then sending the next,
//! for `duration`. Every request's latency is
//! kept, so the percentiles are exact.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The bytes of the `n`-th request a connection sends: one request replayed, or a new one each
/// time (a write with a fresh name).
pub type MakeRequest = Arc<dyn Fn(usize, u64) -> Arc<[u8]> + Send + Sync>;

#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub ok: u64,
    /// Answers with a status other than 2xx.
    pub refused: u64,
    /// Connections the server closed between answers, made again.
    pub reconnects: u64,
    pub elapsed: Duration,
    latencies_us: Vec<u32>,
}

impl Outcome {
    pub fn per_second(&self) -> f64 {
        (self.ok + self.refused) as f64 / self.elapsed.as_secs_f64()
    }

    /// The latency under which `permille` thousandths of the requests were answered, in
    /// microseconds (the nearest rank).
    pub fn percentile_us(&self, permille: usize) -> u32 {
        if self.latencies_us.is_empty() {
            return 0;
        }
        let i = ((self.latencies_us.len() - 1) * permille.min(1000) + 500) / 1000;
        self.latencies_us[i]
    }

    fn merge(&mut self, other: Outcome) {
        self.ok += other.ok;
        self.refused += other.refused;
        self.reconnects += other.reconnects;
        self.latencies_us.extend(other.latencies_us);
    }
}

/// Runs the load on a runtime of `threads` threads, and answers what it measured.
pub fn run(
    addrs: &[SocketAddr],
    connections: usize,
    duration: Duration,
    threads: usize,
    make: MakeRequest,
) -> anyhow::Result<Outcome> {
    if addrs.is_empty() {
        bail!("no server to load");
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(threads)
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let stop = Arc::new(AtomicBool::new(false));
        let start = Instant::now();
        let tasks: Vec<_> = (0..connections)
            .map(|c| {
                let addr = addrs[c % addrs.len()];
                tokio::spawn(connection(addr, c, make.clone(), stop.clone()))
            })
            .collect();
        tokio::time::sleep(duration).await;
        stop.store(true, Ordering::Relaxed);
        let mut total = Outcome::default();
        for task in tasks {
            total.merge(task.await??);
        }
        total.elapsed = start.elapsed();
        total.latencies_us.sort_unstable();
        Ok(total)
    })
}

/// Sends `count` requests one after another on one connection, on this thread.
pub fn send(addr: SocketAddr, count: u64, make: MakeRequest) -> anyhow::Result<Outcome> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let start = Instant::now();
        let mut stream = connect(addr).await?;
        let mut buf = Vec::with_capacity(16 * 1024);
        let mut out = Outcome::default();
        for n in 0..count {
            stream.write_all(&make(0, n)).await?;
            match read_answer(&mut stream, &mut buf).await? {
                Some(status) if (200..300).contains(&status) => out.ok += 1,
                Some(_) => out.refused += 1,
                None => bail!("the server closed the connection"),
            }
        }
        out.elapsed = start.elapsed();
        Ok(out)
    })
}

async fn connection(
    addr: SocketAddr,
    index: usize,
    make: MakeRequest,
    stop: Arc<AtomicBool>,
) -> anyhow::Result<Outcome> {
    let mut stream = connect(addr).await?;
    let mut out = Outcome::default();
    let mut buf = Vec::with_capacity(16 * 1024);
    let mut n = 0u64;
    while !stop.load(Ordering::Relaxed) {
        let request = make(index, n);
        n += 1;
        let sent = Instant::now();
        stream.write_all(&request).await?;
        let status = match read_answer(&mut stream, &mut buf).await? {
            Some(status) => status,
            None => {
                // The server closed the connection after its last answer, as HTTP allows:
                // the request was not answered; it is sent again on a new connection.
                out.reconnects += 1;
                stream = connect(addr).await?;
                stream.write_all(&request).await?;
                read_answer(&mut stream, &mut buf)
                    .await?
                    .context("a new connection closed before its first answer")?
            }
        };
        let took = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
        out.latencies_us.push(took);
        if (200..300).contains(&status) {
            out.ok += 1;
        } else {
            out.refused += 1;
        }
    }
    Ok(out)
}

async fn connect(addr: SocketAddr) -> anyhow::Result<TcpStream> {
    let stream = TcpStream::connect(addr)
        .await
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Reads one whole answer (headers and a `Content-Length` body); answers its status, or
/// `None` when the server closed the connection before sending any of it.
async fn read_answer(stream: &mut TcpStream, buf: &mut Vec<u8>) -> anyhow::Result<Option<u16>> {
    buf.clear();
    let mut chunk = [0u8; 8192];
    loop {
        let mut headers = [httparse::EMPTY_HEADER; 32];
        let mut answer = httparse::Response::new(&mut headers);
        if let httparse::Status::Complete(head) = answer.parse(buf)? {
            let status = answer.code.context("an answer without a status")?;
            let length = answer
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                .map(|h| {
                    std::str::from_utf8(h.value)
                        .unwrap_or("")
                        .trim()
                        .parse::<usize>()
                })
                .transpose()?
                .context("an answer without Content-Length")?;
            while buf.len() < head + length {
                let got = stream.read(&mut chunk).await?;
                if got == 0 {
                    bail!("the server closed the connection mid-answer");
                }
                buf.extend_from_slice(&chunk[..got]);
            }
            return Ok(Some(status));
        }
        let got = stream.read(&mut chunk).await?;
        if got == 0 && buf.is_empty() {
            return Ok(None);
        }
        if got == 0 {
            bail!("the server closed the connection mid-answer");
        }
        buf.extend_from_slice(&chunk[..got]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_read_from_the_sorted_latencies() {
        let o = Outcome {
            ok: 100,
            refused: 0,
            reconnects: 0,
            elapsed: Duration::from_secs(1),
            latencies_us: (1..=100).collect(),
        };
        assert_eq!(o.percentile_us(500), 51);
        assert_eq!(o.percentile_us(990), 99);
        assert_eq!(o.per_second(), 100.0);
    }
}
