import { execFile } from 'node:child_process';
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  State,
  TransportKind,
} from 'vscode-languageclient/node';

import { describeSource, ensureExecutable, normalizeImportStrategy, resolveServerBinary, type ResolveResult } from './binary';
import { currentTarget, type VsCodeTarget } from './platform';
import { debounce, parseRulesTable } from './rules';
import { buildInitializationOptions, configurationItem, type InitializationOptions, RESTART_SECTIONS } from './settings';
import { formatError, formatMissingServer, formatStarting, formatStatus, parseShowLevelResult, type StatusView } from './status';

const CLIENT_ID = 'ladder'; // also the prefix of `ladder.trace.server`, read by the client itself
const CLIENT_NAME = 'Ladder';
const STATUS_RETRIES = 3;
const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('ladder');

/** Server-side commands (registered by the language client from `executeCommandProvider`). */
const SERVER_COMMANDS = {
  showLevel: 'ladder.showLevel',
  runGates: 'ladder.runGates',
  runTests: 'ladder.runTests',
} as const;

function isElixir(doc: vscode.TextDocument | undefined): doc is vscode.TextDocument {
  return doc !== undefined && doc.languageId === 'elixir' && doc.uri.scheme === 'file';
}

class LadderExtension implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private binary: ResolveResult | undefined;
  private options: InitializationOptions | undefined;
  private readonly output: vscode.LogOutputChannel;
  private readonly traceOutput: vscode.OutputChannel;
  private readonly status: vscode.StatusBarItem;
  private readonly disposables: vscode.Disposable[] = [];
  private statusSeq = 0;
  private restarting: Promise<void> = Promise.resolve();
  private missingServerMessage: string | undefined;
  /** This machine's `vsce` target, worked out once (`null`: none). */
  private target: VsCodeTarget | null | undefined;

  constructor(
    private readonly storage: vscode.Uri,
    private readonly extensionPath: string,
  ) {
    this.output = vscode.window.createOutputChannel(CLIENT_NAME, { log: true });
    this.traceOutput = vscode.window.createOutputChannel(`${CLIENT_NAME} Trace`);
    this.status = vscode.window.createStatusBarItem('ladder.level', vscode.StatusBarAlignment.Left, 10);
    this.status.name = 'Ladder level';
    this.status.command = 'ladder.gates.run';
    this.disposables.push(this.output, this.traceOutput, this.status);
  }

  activate(): void {
    const refresh = debounce(() => void this.refreshStatus(), 150);
    this.disposables.push(
      { dispose: () => refresh.cancel() },
      vscode.commands.registerCommand('ladder.gates.run', () => this.runServerCommand(SERVER_COMMANDS.runGates, 'Running mix gates')),
      vscode.commands.registerCommand('ladder.tests.run', () => this.runServerCommand(SERVER_COMMANDS.runTests, 'Running tests')),
      vscode.commands.registerCommand('ladder.fixAll', () => this.fixAll()),
      vscode.commands.registerCommand('ladder.explainRule', (code?: unknown) => this.explainRule(typeof code === 'string' ? code : undefined)),
      vscode.commands.registerCommand('ladder.restart', () => this.restart('command')),
      vscode.commands.registerCommand('ladder.showOutput', () => this.output.show(true)),
      vscode.window.onDidChangeActiveTextEditor(() => refresh()),
      vscode.languages.onDidChangeDiagnostics((e) => {
        const doc = vscode.window.activeTextEditor?.document;
        if (isElixir(doc) && e.uris.some((u) => u.toString() === doc.uri.toString())) refresh();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (RESTART_SECTIONS.some((s) => e.affectsConfiguration(s))) {
          this.output.info('ladder.* settings changed: restarting the server');
          void this.restart('settings');
        }
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        this.output.info('workspace trusted: restarting the server (mix gates may now run)');
        void this.restart('trust');
      }),
    );
    // Do not hold activation on the server's start-up; `restart` chains behind it.
    this.restarting = this.start()
      .then(() => refresh())
      .catch((err) => this.output.error(`start failed: ${errorMessage(err)}`));
  }

  // ---- server lifecycle -------------------------------------------------------------------------

  private readSettings(): InitializationOptions {
    const cfg = vscode.workspace.getConfiguration('ladder');
    const { options, warnings } = buildInitializationOptions((key) => cfg.get(key), vscode.workspace.isTrusted);
    for (const w of warnings) this.output.warn(w);
    return options;
  }

  private serverPathSetting(): string | undefined {
    const cfg = vscode.workspace.getConfiguration('ladder');
    if (vscode.workspace.isTrusted) return cfg.get<string>('serverPath');
    // Restricted mode: VS Code already ignores workspace values of restricted settings; be explicit.
    const inspected = cfg.inspect<string>('serverPath');
    return inspected?.globalValue ?? inspected?.defaultValue;
  }

  private resolveBinary(): ResolveResult {
    const { strategy, warning } = normalizeImportStrategy(vscode.workspace.getConfiguration('ladder').get('importStrategy'));
    if (warning) this.output.warn(warning);
    if (this.target === undefined) this.target = currentTarget() ?? null;
    const target = this.target ?? undefined;
    const binary = resolveServerBinary({
      configured: this.serverPathSetting(),
      importStrategy: strategy,
      extensionPath: this.extensionPath,
      target,
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    });
    if (binary.ok && binary.source === 'bundled') {
      try {
        if (ensureExecutable(binary.path)) this.output.info(`made the bundled server executable (its mode bits were lost on install): ${binary.path}`);
      } catch (err) {
        return { ok: false, reason: 'no-bundled', message: `Ladder: ${errorMessage(err)}. Set \`ladder.serverPath\` to a \`ladder-ls\` binary instead.` };
      }
    }
    return binary;
  }

  private async start(): Promise<void> {
    this.binary = this.resolveBinary();
    if (!this.binary.ok) {
      this.missingServerMessage = this.binary.message;
      this.output.error(this.binary.message);
      this.showStatus(formatMissingServer(this.binary.message), 'ladder.showOutput');
      void this.showMissingServer(this.binary.message);
      return;
    }
    this.missingServerMessage = undefined;
    this.options = this.readSettings();
    this.output.info(`starting ${this.binary.path} --stdio (from ${describeSource(this.binary.source)})`);
    this.output.info(`initializationOptions: ${JSON.stringify(this.options)}`);

    const serverOptions: ServerOptions = {
      command: this.binary.path,
      transport: TransportKind.stdio, // appends `--stdio`
      options: { env: { ...process.env, RUST_BACKTRACE: process.env.RUST_BACKTRACE ?? '1' } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [{ scheme: 'file', language: 'elixir' }],
      initializationOptions: this.options,
      outputChannel: this.output,
      traceOutputChannel: this.traceOutput,
      diagnosticPullOptions: { onChange: true, onSave: true },
      middleware: {
        workspace: {
          configuration: async (params, token, next) => {
            const fallback = await next(params, token);
            const answers = Array.isArray(fallback) ? [...fallback] : params.items.map(() => null);
            const options = this.readSettings();
            params.items.forEach((item, i) => {
              const answer = configurationItem(item.section, options);
              if (answer !== undefined) answers[i] = answer;
            });
            return answers;
          },
        },
      },
    };
    const client = new LanguageClient(CLIENT_ID, CLIENT_NAME, serverOptions, clientOptions);
    this.client = client;
    this.showStatus(formatStarting());
    client.onDidChangeState((e) => {
      if (e.newState === State.Running) void this.refreshStatus();
      else if (e.newState === State.Stopped && this.client === client) this.showStatus(formatError('server stopped'), 'ladder.showOutput');
    });
    try {
      await client.start();
    } catch (err) {
      const message = errorMessage(err);
      this.output.error(`failed to start ladder-ls: ${message}`);
      this.showStatus(formatError(message), 'ladder.showOutput');
      void vscode.window.showErrorMessage(`Ladder: failed to start ladder-ls (${message}).`, 'Show output').then((pick) => {
        if (pick) this.output.show(true);
      });
    }
  }

  private async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      try {
        await client.dispose(5000);
      } catch (err) {
        this.output.warn(`stopping ladder-ls: ${errorMessage(err)}`);
      }
    }
  }

  restart(reason: string): Promise<void> {
    this.restarting = this.restarting
      .then(async () => {
        this.output.info(`restarting (${reason})`);
        await this.stop();
        await this.start();
        await this.refreshStatus();
      })
      .catch((err) => this.output.error(`restart failed: ${errorMessage(err)}`));
    return this.restarting;
  }

  private async showMissingServer(message: string): Promise<void> {
    const pick = await vscode.window.showErrorMessage(message, 'Open Settings', 'Show output');
    if (pick === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', '@ext:ladder-ls.ladder-ls');
    else if (pick === 'Show output') this.output.show(true);
  }

  // ---- status bar -------------------------------------------------------------------------------

  private showStatus(view: StatusView, command = 'ladder.gates.run'): void {
    this.status.text = view.text;
    this.status.tooltip = view.tooltip;
    this.status.command = command;
    this.status.backgroundColor = view.warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  private async refreshStatus(): Promise<void> {
    const doc = vscode.window.activeTextEditor?.document;
    if (!isElixir(doc)) {
      this.status.hide();
      return;
    }
    this.status.show();
    if (this.missingServerMessage !== undefined) {
      this.showStatus(formatMissingServer(this.missingServerMessage), 'ladder.showOutput');
      return;
    }
    const client = this.client;
    if (!client || client.state !== State.Running) return; // "starting…" is showing
    const seq = ++this.statusSeq;
    const uri = client.code2ProtocolConverter.asUri(doc.uri);
    // Right after opening a file the server may not have linted it yet: retry a few times.
    for (let attempt = 0; ; attempt++) {
      try {
        const raw = await client.sendRequest('workspace/executeCommand', { command: SERVER_COMMANDS.showLevel, arguments: [uri] });
        if (seq !== this.statusSeq) return; // a newer refresh is on its way
        const result = parseShowLevelResult(raw);
        if (!result) {
          this.output.warn(`unexpected ladder.showLevel answer: ${JSON.stringify(raw)}`);
          this.showStatus(formatError('unexpected answer from ladder.showLevel'));
          return;
        }
        this.showStatus(formatStatus(result));
        return;
      } catch (err) {
        if (seq !== this.statusSeq || client.state !== State.Running) return;
        const message = errorMessage(err);
        if (attempt < STATUS_RETRIES) {
          this.output.debug(`ladder.showLevel failed (${message}); retrying`);
          await new Promise((r) => setTimeout(r, 300 * (attempt + 1)));
          if (seq !== this.statusSeq) return;
          continue;
        }
        this.output.warn(`ladder.showLevel failed: ${message}`);
        this.showStatus(formatError(message));
        return;
      }
    }
  }

  // ---- commands ---------------------------------------------------------------------------------

  private requireClient(): LanguageClient | undefined {
    if (this.client && this.client.state === State.Running) return this.client;
    const message = this.missingServerMessage ?? 'Ladder: the ladder-ls server is not running (see "Ladder: Show output").';
    void vscode.window.showErrorMessage(message);
    return undefined;
  }

  private async runServerCommand(command: string, title: string): Promise<void> {
    const client = this.requireClient();
    if (!client) return;
    const doc = vscode.window.activeTextEditor?.document;
    const target = isElixir(doc) ? doc.uri : vscode.workspace.workspaceFolders?.[0]?.uri;
    const args = target ? [client.code2ProtocolConverter.asUri(target)] : [];
    try {
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Window, title: `Ladder: ${title}…` },
        () => client.sendRequest('workspace/executeCommand', { command, arguments: args }),
      );
      this.output.info(`${command} → ${JSON.stringify(result)}`);
      const summary = summarize(result);
      if (summary) void vscode.window.showInformationMessage(`Ladder: ${summary}`);
      void this.refreshStatus();
    } catch (err) {
      const message = errorMessage(err);
      this.output.error(`${command} failed: ${message}`);
      void vscode.window.showErrorMessage(`Ladder: ${command} failed: ${message}`);
    }
  }

  private async fixAll(): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isElixir(editor.document)) {
      void vscode.window.showInformationMessage('Ladder: open an Elixir file to fix.');
      return;
    }
    if (!this.requireClient()) return;
    const doc = editor.document;
    const range = new vscode.Range(0, 0, doc.lineCount, 0);
    const actions =
      (await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
        'vscode.executeCodeActionProvider',
        doc.uri,
        range,
        FIX_ALL_KIND.value,
      )) ?? [];
    const action = actions.find((a): a is vscode.CodeAction => 'kind' in a && a.kind !== undefined && FIX_ALL_KIND.contains(a.kind));
    if (!action || (!action.edit && !action.command)) {
      void vscode.window.showInformationMessage('Ladder: nothing to fix automatically in this file.');
      return;
    }
    if (action.edit && !(await vscode.workspace.applyEdit(action.edit))) {
      void vscode.window.showErrorMessage('Ladder: could not apply the fixes (the file changed meanwhile?).');
      return;
    }
    if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
  }

  private async explainRule(code?: string): Promise<void> {
    const binary = this.binary;
    if (!binary?.ok) {
      void vscode.window.showErrorMessage(this.missingServerMessage ?? 'Ladder: ladder-ls not found.');
      return;
    }
    let rule = code;
    if (!rule) {
      let rows;
      try {
        rows = parseRulesTable(await run(binary.path, ['rules']));
      } catch (err) {
        void vscode.window.showErrorMessage(`Ladder: \`ladder-ls rules\` failed: ${errorMessage(err)}`);
        return;
      }
      if (rows.length === 0) {
        void vscode.window.showErrorMessage('Ladder: `ladder-ls rules` listed no rules.');
        return;
      }
      // Offer the codes of the findings under the cursor first.
      const editor = vscode.window.activeTextEditor;
      const here = new Set<string>();
      if (editor) {
        for (const d of vscode.languages.getDiagnostics(editor.document.uri)) {
          const c = typeof d.code === 'object' ? d.code.value : d.code;
          if (c !== undefined && d.range.contains(editor.selection.active)) here.add(String(c));
        }
      }
      rows.sort((a, b) => Number(here.has(b.code)) - Number(here.has(a.code)));
      const pick = await vscode.window.showQuickPick(
        rows.map((r) => ({
          label: r.code,
          description: [here.has(r.code) ? '(at cursor)' : '', r.level ?? ''].filter(Boolean).join(' '),
          detail: r.summary ?? r.detail,
        })),
        { title: 'Ladder: Show rule docs', placeHolder: 'Rule code', matchOnDescription: true, matchOnDetail: true },
      );
      if (!pick) return;
      rule = pick.label;
    }
    let markdown: string;
    try {
      markdown = await run(binary.path, ['explain', rule]);
    } catch (err) {
      void vscode.window.showErrorMessage(`Ladder: \`ladder-ls explain ${rule}\` failed: ${errorMessage(err)}`);
      return;
    }
    // Write the page to the extension's storage and preview it: no dirty untitled editor to close.
    const dir = vscode.Uri.joinPath(this.storage, 'rules');
    const page = vscode.Uri.joinPath(dir, `${rule.replace(/[^A-Za-z0-9_.-]/g, '_')}.md`);
    try {
      await vscode.workspace.fs.createDirectory(dir);
      await vscode.workspace.fs.writeFile(page, new TextEncoder().encode(markdown));
      await vscode.commands.executeCommand('markdown.showPreview', page);
    } catch (err) {
      this.output.warn(`markdown preview failed (${errorMessage(err)}); opening the text`);
      const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content: markdown });
      await vscode.window.showTextDocument(doc, { preview: true });
    }
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }

  deactivate(): Promise<void> {
    return this.stop();
  }
}

function run(file: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout: 15_000, maxBuffer: 8 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } }, (err, stdout, stderr) => {
      if (err) reject(new Error(stderr.trim() || err.message));
      else resolve(stdout);
    });
  });
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

function summarize(result: unknown): string | undefined {
  if (result === null || result === undefined) return undefined;
  if (typeof result === 'string') return result;
  if (typeof result === 'object' && 'message' in result && typeof (result as { message: unknown }).message === 'string') {
    return (result as { message: string }).message;
  }
  return undefined;
}

let extension: LadderExtension | undefined;

export function activate(context: vscode.ExtensionContext): void {
  extension = new LadderExtension(context.globalStorageUri, context.extensionPath);
  context.subscriptions.push(extension);
  extension.activate();
}

export async function deactivate(): Promise<void> {
  await extension?.deactivate();
  extension = undefined;
}
