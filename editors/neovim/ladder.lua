-- ladder-ls for Neovim 0.11 and later (built-in LSP client, no plugin needed).
--
-- Copy this file to ~/.config/nvim/plugin/ladder.lua (loaded automatically), or paste it into
-- your init.lua. It needs `ladder-ls` on PATH; for another location, override the command
-- after this file runs:  vim.lsp.config('ladder_ls', { cmd = { '/path/to/ladder-ls' } })
-- For Neovim 0.7 to 0.10, use ladder-0.7.lua instead. See README.md for the settings.

vim.lsp.config('ladder_ls', {
  cmd = { 'ladder-ls' },
  filetypes = { 'elixir' },
  -- The nearest folder with a mix.exs is the project root; a file outside any Mix project
  -- falls back to its git repository. (Umbrella projects: see README.md for one server per
  -- umbrella instead of one per app.)
  root_markers = { 'mix.exs', '.git' },
  init_options = {
    -- The level (0-7) the project aims for; `target_level` in .ladder.exs wins.
    -- targetLevel = 4,
    -- Per-rule settings (code -> "off" | "error" | "warning" | "info" | "hint", or a table
    -- such as { severity = 'info', max = 120 }); the project's .ladder.exs wins over these.
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
  },
})

vim.lsp.enable('ladder_ls')

-- Fix-all on save: set `vim.g.ladder_fix_all_on_save = true` to apply every safe ladder fix
-- (trailing whitespace, @spec stubs, ...) before each write of an Elixir buffer. The request
-- is synchronous on purpose: `vim.lsp.buf.code_action({ apply = true })` answers
-- asynchronously, after the file would already have been written.
vim.api.nvim_create_autocmd('BufWritePre', {
  group = vim.api.nvim_create_augroup('ladder_ls_fix_all', { clear = true }),
  pattern = { '*.ex', '*.exs' },
  callback = function(args)
    if not vim.g.ladder_fix_all_on_save then
      return
    end
    for _, client in ipairs(vim.lsp.get_clients({ bufnr = args.buf, name = 'ladder_ls' })) do
      local params = {
        textDocument = { uri = vim.uri_from_bufnr(args.buf) },
        range = { start = { line = 0, character = 0 }, ['end'] = { line = 0, character = 0 } },
        context = { only = { 'source.fixAll.ladder' }, diagnostics = {} },
      }
      local response = client:request_sync('textDocument/codeAction', params, 3000, args.buf)
      for _, action in ipairs(response and response.result or {}) do
        if action.edit then
          vim.lsp.util.apply_workspace_edit(action.edit, client.offset_encoding)
        end
      end
    end
  end,
})
