-- End-to-end scenario for ladder-ls in a real, headless Neovim (0.7 and 0.11+), driven by
-- tests/tests/neovim.rs. It loads the configuration users copy (editors/neovim/ladder.lua on
-- 0.11+, ladder-0.7.lua before), opens a file of a Mix project, and goes through the editor's
-- own paths: diagnostics in vim.diagnostic, quick fixes through vim.lsp.buf.code_action, code
-- lenses, fix-all, fix-all on save.
--
-- Environment (set by the Rust test):
--   LADDER_LS_BIN       the server binary
--   LADDER_NVIM_FILE    the .ex file to open (a copy of fixtures/sample_app/lib/shop/orders.ex)
--   LADDER_NVIM_UNICODE_FILE  a second file of the same project, with non-ASCII text
--                       (a copy of tests/nvim/fixtures/greeting.ex)
--   LADDER_NVIM_RESULT  where to write "PASS" or "FAIL" on the first line, then a log
--   LADDER_REPO         the repository root (to find editors/neovim/)
--   LADDER_NVIM_WAIT_MS how long one wait may take (default 15000)
--
-- `nvim --headless` does not exit after a Lua error, so every step runs inside pcall and the
-- script always ends with `qall!` (pass) or `cquit 1` (fail); the Rust side still kills nvim
-- after a timeout in case something hangs outside Lua.

local has_011 = vim.fn.has('nvim-0.11') == 1
local WAIT_MS = tonumber(vim.env.LADDER_NVIM_WAIT_MS or '') or 15000
local result_path = vim.env.LADDER_NVIM_RESULT

local log_lines = {}

local function log(fmt, ...)
  local line = string.format(fmt, ...)
  table.insert(log_lines, line)
  -- Also on stderr, so a hang that ends in a kill still shows how far the scenario got.
  io.stderr:write('[ladder-e2e] ' .. line .. '\n')
end

local function finish(ok, message)
  if result_path then
    local f = io.open(result_path, 'w')
    if f then
      f:write((ok and 'PASS' or 'FAIL') .. '\n' .. message .. '\n' .. table.concat(log_lines, '\n') .. '\n')
      f:close()
    end
  end
  if ok then
    vim.cmd('qall!')
  else
    vim.cmd('cquit 1')
  end
end

-- A failed check: a table, so the pcall handler can tell it from a Lua error with a traceback.
local function fail(fmt, ...)
  error({ ladder = string.format(fmt, ...) }, 0)
end

local function check(cond, fmt, ...)
  if not cond then
    fail(fmt, ...)
  end
end

-- Polls `cond` (errors count as false) until true; `describe` says what was seen on timeout.
local function wait_for(what, cond, describe)
  local started = vim.loop.hrtime()
  local ok = vim.wait(WAIT_MS, function()
    local fine, value = pcall(cond)
    return fine and value
  end, 50)
  if not ok then
    fail('timed out after %d ms waiting for %s%s', WAIT_MS, what, describe and ('; ' .. describe()) or '')
  end
  log('ok: %s (%d ms)', what, (vim.loop.hrtime() - started) / 1e6)
end

-- Configuration as a user has it, with the command pointing at the binary under test.
local function configure()
  local repo = vim.env.LADDER_REPO
  if not repo or repo == '' then
    -- tests/nvim/init.lua -> the repository root.
    local here = debug.getinfo(1, 'S').source:gsub('^@', '')
    repo = vim.fn.fnamemodify(here, ':p:h:h:h')
  end
  local bin = vim.env.LADDER_LS_BIN
  check(bin and bin ~= '', 'LADDER_LS_BIN is not set')
  vim.lsp.set_log_level('debug')
  if has_011 then
    dofile(repo .. '/editors/neovim/ladder.lua')
    -- The override README.md documents for a binary that is not on PATH.
    vim.lsp.config('ladder_ls', { cmd = { bin } })
  else
    vim.g.ladder_ls_cmd = { bin }
    dofile(repo .. '/editors/neovim/ladder-0.7.lua')
  end
  local v = vim.version()
  log('nvim %d.%d.%d, config from %s', v.major, v.minor, v.patch, repo .. '/editors/neovim')
end

-- uri -> `version` of the last publishDiagnostics (push clients only): lets a step wait for
-- the diagnostics of the open document rather than those the workspace lint published for the
-- file while it was closed (no version; their fixes are matched by range, see step 8).
local published = {}

-- Messages the server showed (window/showMessage), in order.
local shown = {}

local function record_server_messages()
  local on_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
    if result and result.uri then
      published[result.uri] = result.version or 'none'
    end
    return on_publish(err, result, ctx, config)
  end
  local on_message = vim.lsp.handlers['window/showMessage']
  vim.lsp.handlers['window/showMessage'] = function(err, result, ctx, config)
    if result and result.message then
      table.insert(shown, result.message)
    end
    return on_message(err, result, ctx, config)
  end
end

local function ladder_clients(buf)
  local found = {}
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = buf }) or vim.lsp.buf_get_clients(buf)
  for _, client in pairs(all) do
    if client.name == 'ladder_ls' then
      table.insert(found, client)
    end
  end
  return found
end

local function diagnostics(buf, code)
  local found = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    if d.source == 'ladder' and (code == nil or d.code == code) then
      table.insert(found, d)
    end
  end
  return found
end

local function describe_diagnostics(buf)
  return function()
    local parts = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(parts, string.format('%s:%s@%d', tostring(d.source), tostring(d.code), d.lnum + 1))
    end
    return 'diagnostics now: [' .. table.concat(parts, ', ') .. ']'
  end
end

local function lines(buf)
  return vim.api.nvim_buf_get_lines(buf, 0, -1, false)
end

-- 0-based index of the first line containing `needle` (plain text), or nil.
local function find_line(buf, needle)
  for i, line in ipairs(lines(buf)) do
    if line:find(needle, 1, true) then
      return i - 1
    end
  end
  return nil
end

local function line_of(buf, needle)
  local lnum = find_line(buf, needle)
  check(lnum ~= nil, 'no line contains %q; buffer:\n%s', needle, table.concat(lines(buf), '\n'))
  return lnum
end

-- Runs vim.lsp.buf.code_action with the cursor on `lnum` (the editor sends that line's
-- diagnostics as the context) and applies the action titled `title` (nil: the only action
-- offered). 0.11 goes through `filter` + `apply = true`, which must not prompt; 0.7 has no
-- `apply`, so vim.ui.select is stubbed to pick the action as a user would.
local function code_action(buf, lnum, kind, title)
  vim.api.nvim_win_set_cursor(0, { lnum + 1, 0 })
  local offered, prompted = {}, false
  vim.ui.select = function(items, opts, on_choice)
    prompted = true
    local pick
    for i, item in ipairs(items) do
      local text = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(offered, text)
      if (title == nil and #items == 1) or text == title then
        pick = pick or i
      end
    end
    on_choice(pick and items[pick] or nil, pick)
  end
  local tick = vim.api.nvim_buf_get_changedtick(buf)
  if has_011 then
    local opts = { context = { only = { kind } }, apply = true }
    if title then
      opts.filter = function(action)
        return action.title == title
      end
    end
    vim.lsp.buf.code_action(opts)
  else
    vim.lsp.buf.code_action({ only = { kind } })
  end
  wait_for(string.format('code action %q (%s, cursor on line %d) to edit the buffer', title or '<the only one>', kind, lnum + 1), function()
    return vim.api.nvim_buf_get_changedtick(buf) > tick
  end, function()
    return string.format('offered: [%s]', table.concat(offered, ' | '))
  end)
  check(not (has_011 and prompted), 'apply = true still prompted with [%s]', table.concat(offered, ' | '))
end

local function scenario()
  configure()
  record_server_messages()
  local file = vim.env.LADDER_NVIM_FILE
  check(file and file ~= '', 'LADDER_NVIM_FILE is not set')
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'elixir', 'filetype is %q, not elixir', vim.bo[buf].filetype)

  wait_for('ladder-ls to attach and initialize', function()
    local client = ladder_clients(buf)[1]
    return client ~= nil and client.initialized == true
  end)
  local client = ladder_clients(buf)[1]
  check(#ladder_clients(buf) == 1, 'expected one ladder client, got %d', #ladder_clients(buf))
  local root = vim.fn.fnamemodify(file, ':p:h:h:h')
  local client_root = client.config.root_dir or ''
  check(vim.loop.fs_realpath(client_root) == vim.loop.fs_realpath(root), 'root_dir is %q, expected the Mix project %q', client_root, root)
  log('attached: offset encoding %s, pull diagnostics %s', tostring(client.offset_encoding), tostring(client.server_capabilities.diagnosticProvider ~= nil))

  -- 1. Diagnostics arrive (push on 0.7, pull on 0.11) and carry the rule codes.
  wait_for('io-inspect, missing-spec and trailing-whitespace diagnostics', function()
    return #diagnostics(buf, 'io-inspect') == 2 and #diagnostics(buf, 'missing-spec') == 2 and #diagnostics(buf, 'trailing-whitespace') == 1
  end, describe_diagnostics(buf))
  for _, d in ipairs(diagnostics(buf, 'io-inspect')) do
    check(d.severity == vim.diagnostic.severity.WARN, 'io-inspect severity %s, expected a warning', tostring(d.severity))
  end

  -- 2. Quick fix: remove the piped IO.inspect in create_order/2 (pipe-aware).
  local inspect_line = line_of(buf, 'IO.inspect(label: "order")')
  local on_line = false
  for _, d in ipairs(diagnostics(buf, 'io-inspect')) do
    on_line = on_line or d.lnum == inspect_line
  end
  check(on_line, 'no io-inspect diagnostic on line %d', inspect_line + 1)
  code_action(buf, inspect_line, 'quickfix', 'Remove `IO.inspect`')
  check(find_line(buf, 'IO.inspect(label:') == nil, 'IO.inspect is still there')
  local order_line = line_of(buf, 'def create_order') + 1
  local text = lines(buf)
  check(text[order_line + 1] == '    order' and text[order_line + 2] == '    |> Map.put(:items, items)', 'pipe not joined, got:\n%s\n%s', text[order_line + 1], text[order_line + 2])
  wait_for('the create_order io-inspect finding to disappear after the re-lint', function()
    local left = diagnostics(buf, 'io-inspect')
    return #left == 1 and left[1].lnum == find_line(buf, 'defp log(')
  end, describe_diagnostics(buf))

  -- 3. Quick fix: insert the @spec stub above create_order/2 (after its @doc).
  local def_line = line_of(buf, 'def create_order(')
  code_action(buf, def_line, 'quickfix', 'Insert @spec stub')
  def_line = line_of(buf, 'def create_order(')
  text = lines(buf)
  check(text[def_line]:match('^  @spec create_order%(.*%) :: .+$') ~= nil, 'no @spec stub above def create_order, got %q', text[def_line])
  check(text[def_line - 1]:match('^  @doc ') ~= nil, 'the @spec is not right after the @doc, got %q', text[def_line - 1])
  wait_for('the create_order missing-spec finding to disappear after the re-lint', function()
    local left = diagnostics(buf, 'missing-spec')
    return #left == 1 and left[1].lnum == find_line(buf, 'def discount(')
  end, describe_diagnostics(buf))

  -- 4. Suppression: "Disable io-inspect for this line" on log/1.
  local log_line = line_of(buf, 'defp log(')
  code_action(buf, log_line, 'quickfix', 'Disable io-inspect for this line')
  log_line = line_of(buf, 'defp log(')
  check(lines(buf)[log_line] == '  # ladder:disable-next-line io-inspect', 'suppression comment not inserted, got %q', lines(buf)[log_line])
  wait_for('the suppressed io-inspect finding to disappear', function()
    return #diagnostics(buf, 'io-inspect') == 0
  end, describe_diagnostics(buf))

  -- 5. A code lens on the defmodule.
  local lens_title
  vim.lsp.codelens.refresh(has_011 and { bufnr = buf } or nil)
  wait_for('a "Ladder L<n>" code lens on defmodule', function()
    for _, lens in ipairs(vim.lsp.codelens.get(buf) or {}) do
      if lens.command and lens.command.title:match('^Ladder L%d') and lens.range.start.line == line_of(buf, 'defmodule Shop.Orders') then
        lens_title = lens.command.title
        return true
      end
    end
    return false
  end)
  log('code lens: %s', lens_title)
  -- Running it (the lens's one command, `ladder.showLevel`) makes the server show the level.
  vim.api.nvim_win_set_cursor(0, { line_of(buf, 'defmodule Shop.Orders') + 1, 0 })
  vim.lsp.codelens.run()
  wait_for('the code lens command to show the level', function()
    return vim.tbl_contains(shown, lens_title)
  end, function()
    return 'messages shown: [' .. table.concat(shown, ' | ') .. ']'
  end)

  -- 6. Fix all, as README.md shows it (0.11: code_action with only + apply).
  code_action(buf, 0, 'source.fixAll.ladder', nil)
  for i, line in ipairs(lines(buf)) do
    check(not line:match('%s$'), 'line %d still ends with whitespace after fix-all: %q', i, line)
  end
  check(find_line(buf, '@spec discount(') ~= nil, 'fix-all inserted no @spec for discount')
  wait_for('trailing-whitespace and missing-spec findings to disappear after fix-all', function()
    return #diagnostics(buf, 'trailing-whitespace') == 0 and #diagnostics(buf, 'missing-spec') == 0
  end, describe_diagnostics(buf))

  -- 7. Fix-all on save (the BufWritePre hook of the shipped config): new trailing whitespace,
  -- seen by the server through an incremental change, is gone from the file written to disk.
  local total_line = line_of(buf, 'def total(items) do')
  vim.api.nvim_buf_set_lines(buf, total_line, total_line + 1, true, { '  def total(items) do  ' })
  wait_for('a trailing-whitespace finding for the new whitespace', function()
    local found = diagnostics(buf, 'trailing-whitespace')
    return #found == 1 and found[1].lnum == total_line
  end, describe_diagnostics(buf))
  vim.g.ladder_fix_all_on_save = true
  vim.cmd('write')
  check(not vim.bo[buf].modified, 'the buffer is still modified after :write')
  local f = assert(io.open(file, 'r'))
  local on_disk = f:read('*a')
  f:close()
  check(on_disk == table.concat(lines(buf), '\n') .. '\n', 'the file on disk differs from the buffer')
  check(not on_disk:find('[ \t]\n'), 'the file written on save still has trailing whitespace:\n%s', on_disk)
  wait_for('the trailing-whitespace finding to disappear after the save', function()
    return #diagnostics(buf, 'trailing-whitespace') == 0
  end, describe_diagnostics(buf))

  -- 8. A second file of the same project: the same client serves it, and positions after
  -- multi-byte characters (`¡` is 2 bytes / 1 UTF-16 unit, `👋` 4 bytes / 2 units) are right in
  -- the negotiated encoding (UTF-8 on 0.11, UTF-16 on 0.7), both ways.
  local unicode_file = vim.env.LADDER_NVIM_UNICODE_FILE
  check(unicode_file and unicode_file ~= '', 'LADDER_NVIM_UNICODE_FILE is not set')
  vim.cmd('edit ' .. vim.fn.fnameescape(unicode_file))
  local buf2 = vim.api.nvim_get_current_buf()
  wait_for('the second file to attach to the same ladder-ls client', function()
    local attached = ladder_clients(buf2)
    return #attached == 1 and attached[1].id == client.id
  end)
  local all = vim.lsp.get_clients and vim.lsp.get_clients() or vim.lsp.get_active_clients()
  local running = 0
  for _, c in pairs(all) do
    running = running + (c.name == 'ladder_ls' and 1 or 0)
  end
  check(running == 1, 'expected one ladder-ls for the project, %d are running', running)
  -- The workspace lint already published this file's findings while it was closed. Neovim 0.7
  -- sends diagnostics back in code actions with byte columns instead of UTF-16 ones (0.11
  -- sends the server's own diagnostic), so a fix looked up by range for those (no document
  -- version in their data) misses on this line; wait for the findings of the opened document,
  -- whose data carries the fix for its version.
  if not client.server_capabilities.diagnosticProvider then
    local uri = vim.uri_from_bufnr(buf2)
    wait_for('the diagnostics of the opened second file (document version)', function()
      return published[uri] == vim.lsp.util.buf_versions[buf2]
    end, function()
      return string.format('last published version %s, buffer version %s', tostring(published[uri]), tostring(vim.lsp.util.buf_versions[buf2]))
    end)
  end
  wait_for('a trailing-whitespace finding after non-ASCII text', function()
    return #diagnostics(buf2, 'trailing-whitespace') == 1
  end, describe_diagnostics(buf2))
  local d = diagnostics(buf2, 'trailing-whitespace')[1]
  local line = lines(buf2)[d.lnum + 1]
  local stripped = line:gsub('[ \t]+$', '')
  check(line:find('👋', 1, true) ~= nil, 'the finding is on line %d, not on the line with the emoji: %q', d.lnum + 1, line)
  check(d.col == #stripped and d.end_col == #line, 'trailing-whitespace spans bytes %d-%d, expected %d-%d in %q', d.col, d.end_col, #stripped, #line, line)
  code_action(buf2, d.lnum, 'quickfix', 'Remove trailing whitespace')
  check(lines(buf2)[d.lnum + 1] == stripped, 'after the fix the line is %q, expected %q', lines(buf2)[d.lnum + 1], stripped)
  wait_for('the trailing-whitespace finding to disappear from the second file', function()
    return #diagnostics(buf2, 'trailing-whitespace') == 0
  end, describe_diagnostics(buf2))
end

local function main()
  local ok, err = xpcall(scenario, function(e)
    if type(e) == 'table' and e.ladder then
      return e.ladder
    end
    return debug.traceback(tostring(e), 2)
  end)
  if ok then
    finish(true, 'all steps passed')
  else
    -- Where the client logged the conversation, for the Rust side to print.
    local ok_log, lsp_log = pcall(vim.lsp.get_log_path)
    log('LSP log: %s', ok_log and lsp_log or '?')
    finish(false, err)
  end
end

-- Run after startup has finished (and outside the VimEnter autocmd, where `:edit` would not
-- fire the FileType autocmd that starts the server).
vim.api.nvim_create_autocmd('VimEnter', {
  once = true,
  callback = function()
    vim.schedule(function()
      local ok, err = pcall(main)
      if not ok then
        finish(false, 'harness error: ' .. tostring(err))
      end
    end)
  end,
})
