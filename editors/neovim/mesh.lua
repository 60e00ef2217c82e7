-- The .mesh language in Neovim 0.7+: the `mesh` file type, meshc-lsp for
-- its buffers, and tree-sitter highlighting where the parser is installed.
-- Put this file in ~/.config/nvim/plugin/ with meshc-lsp on PATH (or set
-- vim.g.meshc_lsp_cmd = { "/path/to/meshc-lsp" } before it loads).
--
-- Keys in .mesh buffers, the same on every version.  Neovim 0.10 and 0.11
-- map most of them by default for every language server; on older
-- versions this file maps the ones Neovim lacks, buffer-locally, unless
-- vim.g.meshc_no_mappings is set:
--
--   K            hover (a field's type and values, a subset's labels, a split)
--   grn          rename a service or subset
--   gra          code actions (the checker's fixes)
--   grr          references
--   gO           document symbols (services, subsets, routes)
--   ]d  [d       next and previous diagnostic
--   CTRL-]       go to definition (through 'tagfunc')
--   CTRL-X CTRL-O  completion (through 'omnifunc')
--
-- To format the file as `meshc fmt` does: :lua vim.lsp.buf.format() (0.8+)
-- or :lua vim.lsp.buf.formatting_sync() (0.7); meshc-lsp formats whole
-- files, so `gq` keeps Vim's own formatting.

vim.filetype.add({ extension = { mesh = "mesh" } })
if vim.fn.has("nvim-0.8") == 0 then
  -- Neovim 0.7 reads vim.filetype.add only with g:do_filetype_lua = 1.
  vim.api.nvim_create_autocmd({ "BufRead", "BufNewFile" }, {
    pattern = "*.mesh",
    command = "setfiletype mesh",
  })
end

local function root_dir(buf)
  if vim.fs and vim.fs.root then -- Neovim 0.10+
    return vim.fs.root(buf, { ".git" })
  end
  local dir = vim.fn.fnamemodify(vim.api.nvim_buf_get_name(buf), ":p:h")
  local git = vim.fn.finddir(".git", dir .. ";")
  if git ~= "" then
    return vim.fn.fnamemodify(git, ":p:h:h") -- ":p" of a directory ends in "/"
  end
  git = vim.fn.findfile(".git", dir .. ";") -- worktrees and submodules
  if git ~= "" then
    return vim.fn.fnamemodify(git, ":p:h")
  end
end

-- Maps `lhs` in the modes `modes` of buffer `buf`, in each mode where the
-- user has not mapped it (globally or for the buffer).
local function map(buf, modes, lhs, rhs, desc)
  for _, mode in ipairs(modes) do
    if vim.fn.maparg(lhs, mode) == "" then
      vim.keymap.set(mode, lhs, rhs, { buffer = buf, desc = desc })
    end
  end
end

-- Whether the server formats a range (then `gq` formats through it).
local function formats_ranges(client)
  if client.server_capabilities then -- 0.8+
    return client.server_capabilities.documentRangeFormattingProvider
  end
  return client.resolved_capabilities.document_range_formatting
end

-- What Neovim 0.10 and 0.11 set up by themselves when a server attaches.
local function set_up_buffer(client, buf)
  if vim.fn.has("nvim-0.10") == 0 then
    vim.bo[buf].omnifunc = "v:lua.vim.lsp.omnifunc"
    vim.bo[buf].tagfunc = "v:lua.vim.lsp.tagfunc"
    if formats_ranges(client) then
      vim.bo[buf].formatexpr = "v:lua.vim.lsp.formatexpr()"
    end
  end
  if vim.g.meshc_no_mappings then
    return
  end
  if vim.fn.has("nvim-0.10") == 0 then
    map(buf, { "n" }, "K", vim.lsp.buf.hover, "Hover")
    map(buf, { "n" }, "]d", vim.diagnostic.goto_next, "Next diagnostic")
    map(buf, { "n" }, "[d", vim.diagnostic.goto_prev, "Previous diagnostic")
  end
  if vim.fn.has("nvim-0.11") == 0 then
    map(buf, { "n" }, "grn", vim.lsp.buf.rename, "Rename")
    map(buf, { "n", "x" }, "gra", vim.lsp.buf.code_action, "Code actions")
    map(buf, { "n" }, "grr", vim.lsp.buf.references, "References")
    map(buf, { "n" }, "gO", vim.lsp.buf.document_symbol, "Document symbols")
  end
end

local clients = {} -- root -> client id, for Neovim 0.7 (no vim.lsp.start)

vim.api.nvim_create_autocmd("FileType", {
  pattern = "mesh",
  callback = function(args)
    local buf = args.buf
    vim.bo[buf].commentstring = "// %s"
    vim.bo[buf].shiftwidth = 2
    vim.bo[buf].expandtab = true
    if vim.treesitter.start then -- Neovim 0.8+; nothing without the parser
      pcall(vim.treesitter.start, buf, "mesh")
    end
    local config = {
      name = "meshc",
      cmd = vim.g.meshc_lsp_cmd or { "meshc-lsp" },
      root_dir = root_dir(buf) or vim.fn.getcwd(),
      on_attach = function(client, attached)
        set_up_buffer(client, attached)
      end,
    }
    if vim.lsp.start then -- Neovim 0.8+
      vim.lsp.start(config)
      return
    end
    local id = clients[config.root_dir]
    if not id or not vim.lsp.get_client_by_id(id) then
      id = vim.lsp.start_client(config)
      clients[config.root_dir] = id
    end
    if id then
      vim.lsp.buf_attach_client(buf, id)
    end
  end,
})
