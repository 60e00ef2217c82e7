; Indentation for Helix: the lines inside a block are indented one level,
; and a line that starts with the closing brace or bracket is not.

[
  (service)
  (delegate_block)
  (test_block)
  (subset)
  (policy)
  (port_policy)
  (route)
  (object)
  (list)
] @indent

[
  "}"
  "]"
] @outdent
