-- Put in ~/.config/nvim/plugin/mesh.lua (Neovim 0.7+, meshc-lsp on PATH).
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

local clients = {} -- root -> client id, for Neovim 0.7 (no vim.lsp.start)

vim.api.nvim_create_autocmd("FileType", {
  pattern = "mesh",
  callback = function(args)
    vim.bo[args.buf].commentstring = "// %s"
    vim.bo[args.buf].shiftwidth = 2
    vim.bo[args.buf].expandtab = true
    local config = {
      name = "meshc",
      cmd = { "meshc-lsp" },
      root_dir = root_dir(args.buf) or vim.fn.getcwd(),
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
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
