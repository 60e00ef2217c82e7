-- Tries editors/neovim/mesh.lua in a real Neovim, headless, as a user
-- would: open a .mesh file of a project, and use what the plugin sets up.
-- Run by lsp/tests/neovim.rs, on Neovim 0.7 and later:
--
--   nvim --headless --clean -c "luafile editors/neovim/test/headless.lua"
--
-- with MESHC_TEST_PLUGIN (mesh.lua), MESHC_TEST_LSP (the meshc-lsp
-- binary), MESHC_TEST_DIR (a project with .git and reviews.mesh),
-- MESHC_TEST_OUT (where to write one line a check: "ok NAME" or
-- "FAIL NAME: why") and, for the tree-sitter checks on 0.9+,
-- MESHC_TEST_RUNTIME (a folder with parser/mesh.so and
-- queries/mesh/highlights.scm).

local env = vim.env
local results = {}

local function check(name, ok, why)
  if ok then
    table.insert(results, "ok " .. name)
  else
    table.insert(results, "FAIL " .. name .. ": " .. vim.inspect(why))
  end
end

local function finish()
  local file = assert(io.open(env.MESHC_TEST_OUT, "w"))
  file:write(table.concat(results, "\n"), "\n")
  file:close()
  vim.cmd("qall!")
end

-- Waits for `condition`, at most `ms` milliseconds; whether it held.
local function wait(ms, condition)
  return vim.wait(ms, condition, 20)
end

local function clients_of(buf)
  if vim.lsp.get_clients then -- 0.10+
    return vim.lsp.get_clients({ bufnr = buf })
  end
  return vim.tbl_values(vim.lsp.buf_get_clients(buf))
end

local function run()
  if env.MESHC_TEST_RUNTIME and env.MESHC_TEST_RUNTIME ~= "" then
    vim.opt.runtimepath:append(env.MESHC_TEST_RUNTIME)
  end
  vim.g.meshc_lsp_cmd = { env.MESHC_TEST_LSP }
  dofile(env.MESHC_TEST_PLUGIN)

  local path = env.MESHC_TEST_DIR .. "/reviews.mesh"
  vim.cmd("edit " .. vim.fn.fnameescape(path))
  local buf = vim.api.nvim_get_current_buf()
  local uri = vim.uri_from_bufnr(buf)
  check("filetype", vim.bo[buf].filetype == "mesh", vim.bo[buf].filetype)

  local attached = wait(10000, function()
    return #clients_of(buf) > 0 and clients_of(buf)[1].initialized ~= false
  end)
  check("server starts", attached, "no client attached")
  if not attached then
    return
  end
  local client = clients_of(buf)[1]
  check("server name", client.name == "meshc", client.name)
  check("root is the project", vim.fn.resolve(client.config.root_dir) == vim.fn.resolve(env.MESHC_TEST_DIR),
    client.config.root_dir)
  -- What 0.10+ sets by itself, and the plugin on older versions.
  check("omnifunc", vim.bo[buf].omnifunc == "v:lua.vim.lsp.omnifunc", vim.bo[buf].omnifunc)
  check("tagfunc", vim.bo[buf].tagfunc == "v:lua.vim.lsp.tagfunc", vim.bo[buf].tagfunc)
  -- meshc-lsp formats whole files only: `gq` stays Vim's, as 0.10+ leaves it.
  check("formatexpr", vim.bo[buf].formatexpr == "", vim.bo[buf].formatexpr)
  check("comments", vim.bo[buf].commentstring == "// %s", vim.bo[buf].commentstring)
  for _, key in ipairs({ "K", "grn", "gra", "grr", "gO", "]d", "[d" }) do
    check("key " .. key, vim.fn.maparg(key, "n") ~= "", "unmapped")
  end

  -- Diagnostics: the unknown subset v3.
  local got = wait(10000, function()
    return #vim.diagnostic.get(buf) > 0
  end)
  local diagnostics = vim.diagnostic.get(buf)
  local unknown
  for _, d in ipairs(diagnostics) do
    if d.message:find("v3", 1, true) then
      unknown = d
    end
  end
  check("diagnostics", got and unknown ~= nil and unknown.lnum == 4, diagnostics)

  -- Hover on the `version` label of subset v1.
  local hover = vim.lsp.buf_request_sync(buf, "textDocument/hover",
    { textDocument = { uri = uri }, position = { line = 1, character = 9 } }, 10000)
  local hovered = false
  for _, answer in pairs(hover or {}) do
    local contents = answer.result and answer.result.contents
    hovered = hovered or (contents ~= nil and vim.inspect(contents):find("version", 1, true) ~= nil)
  end
  check("hover", hovered, hover)

  -- Completion after `to ` offers the subsets.
  local completion = vim.lsp.buf_request_sync(buf, "textDocument/completion",
    { textDocument = { uri = uri }, position = { line = 4, character = 9 } }, 10000)
  local labels = {}
  for _, answer in pairs(completion or {}) do
    local result = answer.result or {}
    for _, item in ipairs(result.items or result) do
      labels[item.label] = true
    end
  end
  check("completion", labels["v1"] and labels["v2"], vim.tbl_keys(labels))

  -- CTRL-] on `v1` in `to v1` goes to the subset, through 'tagfunc'.
  vim.api.nvim_win_set_cursor(0, { 5, 9 })
  local jumped = pcall(vim.cmd, "normal! \29")
  local cursor = vim.api.nvim_win_get_cursor(0)
  check("definition", jumped and cursor[1] == 2, cursor)
  vim.cmd("buffer " .. buf)

  -- Formatting the whole file indents the misindented `to` line.
  if vim.lsp.buf.format then -- 0.8+
    vim.lsp.buf.format({ bufnr = buf, timeout_ms = 10000 })
  else
    vim.lsp.buf.formatting_sync(nil, 10000)
  end
  local line = vim.api.nvim_buf_get_lines(buf, 4, 5, false)[1]
  check("formatting", line == "    to v1 90%, v3 10%", line)

  -- Tree-sitter highlighting, where the parser is installed (0.9+ has
  -- the functions to ask for captures).
  if env.MESHC_TEST_RUNTIME and env.MESHC_TEST_RUNTIME ~= "" and vim.treesitter.get_captures_at_pos then
    vim.treesitter.get_parser(buf, "mesh"):parse()
    check("tree-sitter starts", vim.treesitter.highlighter.active[buf] ~= nil, "no highlighter")
    local function captures(row, col)
      local names = {}
      for _, c in ipairs(vim.treesitter.get_captures_at_pos(buf, row, col)) do
        table.insert(names, c.capture)
      end
      return table.concat(names, " ")
    end
    check("tree-sitter: to", captures(4, 4) == "keyword.control", captures(4, 4))
    check("tree-sitter: percent", captures(4, 11) == "constant.numeric", captures(4, 11))
    check("tree-sitter: service", captures(0, 8) == "type", captures(0, 8))
    check("tree-sitter: to-legacy", captures(5, 11) == "type", captures(5, 11))
    check("tree-sitter: comment", captures(8, 0) == "comment", captures(8, 0))
  end
end

local ok, err = xpcall(run, debug.traceback)
check("no Lua error", ok, err)
finish()
