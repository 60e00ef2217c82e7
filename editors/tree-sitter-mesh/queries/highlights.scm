; Highlights of `.mesh` files, with Helix's capture names (Neovim and Zed
; fall back from the dotted names to their first part).  Every word of the
; language is captured here: the tests of this folder parse the corpus and
; the examples and check that no keyword is left plain.

(comment) @comment

(string) @string

[
  (number)
  (percent)
  (duration)
] @constant.numeric

; Text that should have been quoted (`5xx`): the compiler says so.
(word) @string

; Enum constants and booleans among the values.
((identifier) @constant.builtin.boolean
  (#match? @constant.builtin.boolean "^(true|false)$"))

((identifier) @constant
  (#match? @constant "^[A-Z][A-Z0-9_]*$"))

; Declarations and the names that refer to them.
(namespace_declaration
  name: (namespace_name) @namespace)

(service
  name: (identifier) @type)

(delegate_block
  name: (identifier) @type)

(test_block
  name: (identifier) @label)

(subset
  name: (identifier) @type.enum.variant)

(route
  name: (identifier) @label)

(target
  name: (identifier) @type)

(target
  subset: (identifier) @type.enum.variant)

(target
  port: (number) @constant.numeric)

; Keys of labels and fields.
(label
  key: (identifier) @variable.other.member)

(field
  key: (identifier) @variable.other.member)

; The words of the language.
[
  "namespace"
  "service"
  "subset"
  "policy"
  "route"
  "port"
  "test"
] @keyword

[
  "expect"
  "no"
  "code"
] @keyword.control

(route_kind) @keyword

(setting_key) @keyword

[
  "match"
  "to"
  "timeout"
  "retries"
  "fault"
  "mirror"
  "rewrite"
  "redirect"
  "respond"
  "delegate"
  "headers"
  "cors"
] @keyword.control

[
  "uri"
  "scheme"
  "method"
  "authority"
  "header"
  "query"
  "without"
  "source"
  "gateway"
  "sni"
  "destination_subnet"
  "source_subnet"
  "name"
  "stat_prefix"
  "ignore_uri_case"
] @keyword

(redirect_option
  key: _ @keyword)

(retry_option
  key: _ @keyword)

[
  "delay"
  "exponential"
  "abort"
  "grpc"
  "bytes"
  "for"
  "request"
  "response"
  "set"
  "add"
  "remove"
] @keyword

(string_op) @keyword.operator

(rewrite_statement
  "regex" @keyword.operator)

[
  "and"
  "present"
] @keyword.operator

"=" @operator

[
  "{"
  "}"
  "["
  "]"
] @punctuation.bracket

[
  ","
  ":"
  "/"
] @punctuation.delimiter
