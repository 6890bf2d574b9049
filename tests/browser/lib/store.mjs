// Starts the example store (Northwind Goods, host-example) for the browser
// tests: a fresh temporary working directory (so ./data holds fresh demo
// data), a free port on 127.0.0.1, and a stop() that always kills it.

import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** The binary built by `cargo build -p host-example`, or $HOST_EXAMPLE_BIN. */
export function storeBinary() {
  return process.env.HOST_EXAMPLE_BIN
    ? path.resolve(process.env.HOST_EXAMPLE_BIN)
    : path.join(repoRoot, 'target', 'debug', 'host-example');
}

/** A port nothing listens on right now: listen on port 0, read it, close. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const running = new Set();
// A test run that dies (an uncaught error, Ctrl-C) still takes the store down.
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    for (const child of running) child.kill('SIGKILL');
    process.exit(130);
  });
}

/**
 * Starts the store and resolves once GET /login answers.
 * @returns {Promise<{ baseUrl: string, workDir: string, logFile: string, stop: () => Promise<void> }>}
 */
export async function startStore({ timeoutMs = 60_000 } = {}) {
  const binary = storeBinary();
  if (!existsSync(binary)) {
    throw new Error(`${binary} does not exist: run \`cargo build -p host-example\` first (or set HOST_EXAMPLE_BIN)`);
  }
  const workDir = mkdtempSync(path.join(tmpdir(), 'storechat-browser-'));
  const logFile = path.join(workDir, 'host-example.log');
  const log = createWriteStream(logFile);
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = { ...process.env, BIND: `127.0.0.1:${port}`, NO_COLOR: '1', RUST_LOG: process.env.RUST_LOG ?? 'info' };
  // The store must use its own SQLite file in workDir, never a database of the caller's.
  delete env.DATABASE_URL;
  const child = spawn(binary, [], { cwd: workDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  let exited = null;
  const exitedPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      running.delete(child);
      resolve();
    });
  });
  child.on('error', (error) => {
    exited = { error };
  });

  const tail = () => {
    try {
      return readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '';
    }
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (!exited) {
      child.kill('SIGTERM');
      const killed = await Promise.race([exitedPromise.then(() => true), sleep(5_000).then(() => false)]);
      if (!killed) {
        child.kill('SIGKILL');
        await exitedPromise;
      }
    }
    log.end();
    if (!process.env.KEEP_STORE_DATA) rmSync(workDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      const why = exited.error ? exited.error.message : `exit code ${exited.code}, signal ${exited.signal}`;
      await new Promise((resolve) => log.write('', resolve));
      const output = tail();
      await stop();
      throw new Error(`host-example stopped before it answered (${why}). Its last output:\n${output}`);
    }
    try {
      const response = await fetch(`${baseUrl}/login`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      const output = tail();
      await stop();
      throw new Error(`host-example did not answer GET /login within ${timeoutMs / 1000} s. Its last output:\n${output}`);
    }
    await sleep(100);
  }
  return { baseUrl, workDir, logFile, stop, logTail: tail };
}
