-- Put in ~/.config/nvim/plugin/mesh.lua (Neovim 0.10+, meshc-lsp on PATH).
vim.filetype.add({ extension = { mesh = "mesh" } })

vim.api.nvim_create_autocmd("FileType", {
  pattern = "mesh",
  callback = function(args)
    vim.bo[args.buf].commentstring = "// %s"
    vim.bo[args.buf].shiftwidth = 2
    vim.bo[args.buf].expandtab = true
    vim.lsp.start({
      name = "meshc",
      cmd = { "meshc-lsp" },
      root_dir = vim.fs.root(args.buf, { ".git" }) or vim.fn.getcwd(),
    })
  end,
})
