-- ladder-ls for Neovim 0.7 to 0.10 (built-in LSP client, no plugin needed).
--
-- Copy this file to ~/.config/nvim/plugin/ladder.lua (loaded automatically), or paste it into
-- your init.lua. It needs `ladder-ls` on PATH; for another location set
-- `vim.g.ladder_ls_cmd = { '/path/to/ladder-ls' }` (read each time a server starts).
-- On Neovim 0.11 and later, prefer ladder.lua (vim.lsp.config / vim.lsp.enable).
-- See README.md for the settings.

-- Sent as `initializationOptions`; edit to taste.
local init_options = {
  -- The level (0-7) the project aims for; `target_level` in .ladder.exs wins.
  -- targetLevel = 4,
  -- Per-rule settings (code -> "off" | "error" | "warning" | "info" | "hint", or a table such
  -- as { severity = 'info', max = 120 }); the project's .ladder.exs wins over these.
  -- rules = {
  --   ['line-too-long'] = { severity = 'info', max = 120 },
  --   ['todo-comment'] = 'off',
  -- },
  mix = {
    -- The background gates (L0 compile, L1 format, L2 credo, L3 test) run the project's own
    -- code, so they stay off until you turn them on here (the editor wins over .ladder.exs).
    enabled = false,
    env = 'test',
    timeoutMs = 300000,
  },
}

local uv = vim.loop

-- The nearest ancestor folder holding a mix.exs, else one holding .git, else nil (the server
-- then lints the open files only). Written out by hand because vim.fs.find is 0.8+ and
-- findfile() needs commas and spaces in the path escaped.
local function project_root(path)
  local start = vim.fn.fnamemodify(path, ':p:h')
  for _, marker in ipairs({ 'mix.exs', '.git' }) do
    local dir = start
    while true do
      if uv.fs_stat(dir .. '/' .. marker) then
        return dir
      end
      local parent = vim.fn.fnamemodify(dir, ':h')
      if parent == dir then
        break
      end
      dir = parent
    end
  end
  return nil
end

-- Neovim 0.7 has no vim.lsp.start: one client per root, remembered here, attached by hand.
local clients_by_root = {}

local function start_0_7(config, bufnr)
  local key = config.root_dir or ''
  local id = clients_by_root[key]
  local client = id and vim.lsp.get_client_by_id(id)
  if not client or client.is_stopped() then
    id = vim.lsp.start_client(config)
    clients_by_root[key] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
end

local group = vim.api.nvim_create_augroup('ladder_ls', { clear = true })

vim.api.nvim_create_autocmd('FileType', {
  group = group,
  pattern = 'elixir',
  callback = function(args)
    local path = vim.api.nvim_buf_get_name(args.buf)
    -- Only real files: not fugitive://, scratch buffers or the like.
    if path == '' or vim.bo[args.buf].buftype ~= '' or path:match('^%a[%w+.-]*://') then
      return
    end
    local config = {
      name = 'ladder_ls',
      cmd = vim.g.ladder_ls_cmd or { 'ladder-ls' },
      root_dir = project_root(path),
      init_options = init_options,
    }
    if vim.lsp.start then
      -- 0.8+: reuses the running client with the same name and root.
      vim.lsp.start(config, { bufnr = args.buf })
    else
      start_0_7(config, args.buf)
    end
  end,
})

-- The ladder clients attached to a buffer. vim.lsp.get_clients is 0.10+ (where
-- get_active_clients is deprecated); 0.7's get_active_clients takes no filter.
local function ladder_clients(bufnr)
  local found = {}
  local all = vim.lsp.get_clients and vim.lsp.get_clients({ bufnr = bufnr }) or vim.lsp.get_active_clients()
  for _, client in pairs(all) do
    if client.name == 'ladder_ls' and vim.lsp.buf_is_attached(bufnr, client.id) then
      table.insert(found, client)
    end
  end
  return found
end

-- Fix-all on save: set `vim.g.ladder_fix_all_on_save = true` to apply every safe ladder fix
-- (trailing whitespace, @spec stubs, ...) before each write of an Elixir buffer. The request is
-- synchronous on purpose: vim.lsp.buf.code_action answers asynchronously, after the file would
-- already have been written.
vim.api.nvim_create_autocmd('BufWritePre', {
  group = group,
  pattern = { '*.ex', '*.exs' },
  callback = function(args)
    if not vim.g.ladder_fix_all_on_save then
      return
    end
    for _, client in ipairs(ladder_clients(args.buf)) do
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(args.buf) },
        range = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } },
        context = { only = { 'source.fixAll.ladder' }, diagnostics = {} },
      }
      local response = client.request_sync('textDocument/codeAction', params, 3000, args.buf)
      for _, action in ipairs(response and response.result or {}) do
        if action.edit then
          vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
        end
      end
    end
  end,
})
