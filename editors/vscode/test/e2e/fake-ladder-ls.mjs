#!/usr/bin/env node
// A tiny stand-in for ladder-ls that speaks just enough LSP (over stdio) for the extension's
// end-to-end test: pull diagnostics for `missing-spec` and `io-inspect`, their quick fixes, a code
// lens per defmodule and `ladder.showLevel`. It lets the e2e harness be exercised without the Rust
// server (`LADDER_LS_BIN=test/e2e/fake-ladder-ls.mjs ./test.sh`); the real test runs the real binary.
import { argv, stdin, stdout, stderr, exit } from 'node:process';

if (argv[2] === 'rules') {
  stdout.write('CODE          LEVEL  SEVERITY  FIX  SUMMARY\nio-inspect    L2     warning   yes  IO.inspect left in code\nmissing-spec  L4     warning   yes  Public function without @spec\n');
  exit(0);
}
if (argv[2] === 'explain') {
  stdout.write(`# ${argv[3]}\n\nFake documentation for \`${argv[3]}\`.\n`);
  exit(0);
}

const docs = new Map(); // uri -> { text, version }
const log = (...a) => stderr.write(`[fake-ladder-ls] ${a.join(' ')}\n`);

function send(msg) {
  const body = Buffer.from(JSON.stringify({ jsonrpc: '2.0', ...msg }), 'utf8');
  stdout.write(`Content-Length: ${body.length}\r\n\r\n`);
  stdout.write(body);
}

function findings(text) {
  const lines = text.split('\n');
  const out = [];
  lines.forEach((line, i) => {
    const trailing = /[ \t]+$/.exec(line);
    if (trailing) {
      out.push({ code: 'trailing-whitespace', level: 1, line: i, start: trailing.index, end: line.length, message: 'Trailing whitespace' });
    }
    const col = line.indexOf('IO.inspect');
    if (col >= 0 && !line.trimStart().startsWith('#')) {
      out.push({ code: 'io-inspect', level: 2, line: i, start: col, end: line.length, message: '`IO.inspect` call left in code' });
    }
    const m = /^(\s*)def\s+([a-z_][a-zA-Z0-9_?!]*)\s*(\(([^)]*)\))?/.exec(line);
    if (m) {
      const name = m[2];
      const arity = m[4] ? m[4].split(',').filter((s) => s.trim()).length : 0;
      const before = lines.slice(0, i).join('\n');
      if (!new RegExp(`@spec\\s+${name}\\(`).test(before)) {
        out.push({ code: 'missing-spec', level: 4, line: i, start: m[1].length, end: line.length, message: `Public function \`${name}/${arity}\` has no @spec`, indent: m[1], name, arity });
      }
    }
  });
  return out;
}

function levelOf(text) {
  const levels = findings(text).map((f) => f.level);
  return levels.length === 0 ? 7 : Math.min(...levels) - 1;
}

function toDiagnostic(f) {
  return {
    range: { start: { line: f.line, character: f.start }, end: { line: f.line, character: f.end } },
    severity: 2,
    source: 'ladder',
    code: f.code,
    message: `L${f.level} ${f.message}`,
    data: { code: f.code },
  };
}

function fixFor(uri, f) {
  if (f.code === 'trailing-whitespace') {
    return {
      title: 'Remove trailing whitespace',
      kind: 'quickfix',
      isPreferred: true,
      safe: true,
      edit: { changes: { [uri]: [{ range: { start: { line: f.line, character: f.start }, end: { line: f.line, character: f.end } }, newText: '' }] } },
    };
  }
  if (f.code === 'missing-spec') {
    const args = Array.from({ length: f.arity }, () => 'term()').join(', ');
    return {
      title: 'Insert @spec stub',
      kind: 'quickfix',
      isPreferred: true,
      safe: true,
      edit: { changes: { [uri]: [{ range: { start: { line: f.line, character: 0 }, end: { line: f.line, character: 0 } }, newText: `${f.indent}@spec ${f.name}(${args}) :: term()\n` }] } },
    };
  }
  return {
    title: 'Remove `IO.inspect`',
    kind: 'quickfix',
    isPreferred: true,
    edit: { changes: { [uri]: [{ range: { start: { line: f.line, character: 0 }, end: { line: f.line + 1, character: 0 } }, newText: '' }] } },
  };
}

function handle(msg) {
  const { id, method, params } = msg;
  switch (method) {
    case 'initialize':
      log('initializationOptions', JSON.stringify(params.initializationOptions));
      return send({
        id,
        result: {
          capabilities: {
            positionEncoding: 'utf-16',
            textDocumentSync: { openClose: true, change: 1, save: true },
            diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false },
            codeActionProvider: { codeActionKinds: ['quickfix', 'source.fixAll.ladder'] },
            codeLensProvider: {},
            executeCommandProvider: { commands: ['ladder.showLevel'] },
          },
          serverInfo: { name: 'fake-ladder-ls', version: '0.0.0' },
        },
      });
    case 'initialized':
      return send({ id: 1000, method: 'workspace/configuration', params: { items: [{ section: 'ladder' }] } });
    case 'textDocument/didOpen':
      docs.set(params.textDocument.uri, { text: params.textDocument.text, version: params.textDocument.version });
      return;
    case 'textDocument/didChange':
      docs.set(params.textDocument.uri, { text: params.contentChanges.at(-1).text, version: params.textDocument.version });
      return;
    case 'textDocument/didClose':
      docs.delete(params.textDocument.uri);
      return;
    case 'textDocument/diagnostic': {
      const doc = docs.get(params.textDocument.uri);
      return send({ id, result: { kind: 'full', items: doc ? findings(doc.text).map(toDiagnostic) : [] } });
    }
    case 'textDocument/codeAction': {
      const uri = params.textDocument.uri;
      const doc = docs.get(uri);
      if (!doc) return send({ id, result: [] });
      const all = findings(doc.text);
      const only = params.context.only;
      if (only && only.some((k) => k.startsWith('source'))) {
        // Safe fixes only (removing IO.inspect changes output). Edits on one line must not overlap.
        const edits = all.map((f) => fixFor(uri, f)).filter((a) => a.safe).map((a) => a.edit.changes[uri][0]);
        return send({ id, result: edits.length ? [{ title: 'Fix all ladder findings', kind: 'source.fixAll.ladder', edit: { changes: { [uri]: edits } } }] : [] });
      }
      const here = all.filter((f) => f.line >= params.range.start.line && f.line <= params.range.end.line);
      return send({ id, result: here.map((f) => fixFor(uri, f)).map(({ safe, ...action }) => action) });
    }
    case 'textDocument/codeLens': {
      const doc = docs.get(params.textDocument.uri);
      const lenses = [];
      (doc?.text ?? '').split('\n').forEach((line, i) => {
        if (/^\s*defmodule\s/.test(line)) {
          lenses.push({ range: { start: { line: i, character: 0 }, end: { line: i, character: 0 } }, command: { title: `Ladder L${levelOf(doc.text)}`, command: '' } });
        }
      });
      return send({ id, result: lenses });
    }
    case 'workspace/executeCommand': {
      if (params.command !== 'ladder.showLevel') return send({ id, error: { code: -32601, message: `unknown command ${params.command}` } });
      const uri = params.arguments?.[0];
      const doc = docs.get(uri);
      if (!doc) return send({ id, error: { code: -32602, message: `document not open: ${uri}` } });
      const level = levelOf(doc.text);
      const next = level < 7 ? `next: L${level + 1} — ${findings(doc.text).filter((f) => f.level === level + 1).length} finding(s)` : null;
      // The fixture workspace's .ladder.exs aims at L4.
      const target = 4;
      const targetBlockers = findings(doc.text).filter((f) => f.level <= target).length;
      return send({ id, result: { uri, level, label: `L${level}`, next, gatesVerified: false, target, targetBlockers } });
    }
    case 'shutdown':
      return send({ id, result: null });
    case 'exit':
      return exit(0);
    default:
      if (id !== undefined && method) return send({ id, error: { code: -32601, message: `method not found: ${method}` } });
      if (id !== undefined) log('response', JSON.stringify(msg));
  }
}

let buffer = Buffer.alloc(0);
stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString())?.[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const body = buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8');
    buffer = buffer.subarray(headerEnd + 4 + length);
    handle(JSON.parse(body));
  }
});
stdin.on('end', () => exit(0));
