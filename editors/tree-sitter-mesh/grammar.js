/**
 * @file The tree-sitter grammar of `.mesh` files, for editors that highlight
 * with tree-sitter (Helix, Zed, Neovim).
 *
 * It follows `grammar/mesh.pest`, the compiler's grammar, rule for rule, and
 * its words are those of `src/words.rs` (`tests/words.rs` in this folder
 * compares them).  Like the compiler's grammar it is strict about structure
 * and permissive about values: any value may stand where a value may, and
 * `meshc check` (through the language server) says which are wrong.  Where
 * the compiler's grammar skips an unreadable line (`junk`), tree-sitter's own
 * error recovery takes over.
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

/** A name: a service, a subset, a field path, or a bare word in a value
 * (`ISTIO_MUTUAL`, `true`).  Dots are allowed between parts, as in field
 * paths and bare words (`loadBalancer.simple`, `api.example.com`). */
const IDENT = /[A-Za-z_]([A-Za-z0-9_-]|\.[A-Za-z0-9_-])*/;

/** A number: digits, with a fraction. */
const DIGITS = /\d+(\.\d+)?/.source;

/** The units of a duration (Go's, as Istio reads them). */
const UNIT = '(ms|us|µs|ns|h|m|s)';

/** `rule`, then `rule`s separated by `separator`. */
function sep1(rule, separator) {
  return seq(rule, repeat(seq(separator, rule)));
}

/** Items of a block, each followed by an optional comma. */
function items(rule) {
  return repeat(seq(rule, optional(',')));
}

module.exports = grammar({
  name: 'mesh',

  extras: $ => [/\s/, $.comment],

  // Keywords are read as names first and then looked up, so that a keyword
  // is one only where the language has it: `to` in a route, but a field in
  // `{ from = "a", to = "b" }`; and `to-legacy` or `http-bin` is a name.
  word: $ => $.identifier,

  // After a setting's value, a comma may separate its next value or end the
  // item (`gateways "a", "b",` then the next item): the parse that reads on
  // decides, as the compiler's grammar does by trying the value first.
  conflicts: $ => [[$.setting]],

  rules: {
    // ------------------------------------------------------------ file

    source_file: $ => seq(
      optional('\uFEFF'),
      repeat(choice($.namespace_declaration, $.service, $.delegate_block, $.test_block)),
    ),

    namespace_declaration: $ => seq('namespace', field('name', $.namespace_name)),

    // Kubernetes namespaces are DNS labels, which may start with a digit.
    namespace_name: _ => /[A-Za-z0-9][A-Za-z0-9_-]*/,

    service: $ => seq('service', field('name', $.identifier), $._service_body),

    // Routes without hosts that a route's `delegate NAME` hands requests
    // to.  Its items are a service's; the checker says which it may hold.
    delegate_block: $ => seq('delegate', field('name', $.identifier), $._service_body),

    // A routing test: a request and what must happen to it (`meshc test`).
    test_block: $ => seq(
      'test',
      field('name', choice($.identifier, $.string)),
      '{',
      repeat(choice($.request_line, $.given_line, $.expect_line)),
      '}',
    ),

    request_line: $ => seq('request', optional(field('verb', $.identifier)), $.string),

    given_line: $ => choice(
      seq('header', $._value, $._value),
      seq('gateway', $._value),
      seq('source', 'namespace', $._value),
      seq('source', $.object),
      seq('sni', $._value),
    ),

    expect_line: $ => seq('expect', choice(
      seq('route', field('name', choice($.identifier, $.string))),
      seq('to', sep1($.destination, ',')),
      seq('redirect', $._value, optional(seq('code', $._value))),
      seq('rewrite', $._value),
      seq('fault', optional(seq(choice('delay', 'abort'), $._value))),
      seq('respond', $._value),
      seq(
        'headers',
        field('side', choice('request', 'response')),
        field('operation', choice('set', 'add', 'remove')),
        $._value,
        optional($.string),
      ),
      seq('mirror', $.target),
      seq('no', 'match'),
    )),

    _service_body: $ => seq('{', items(choice($.subset, $.policy, $.route, $.setting)), '}'),

    setting: $ => seq(field('key', $.setting_key), sep1($._value, ',')),

    setting_key: _ => choice(
      'host', 'hosts', 'gateways', 'export_to', 'external_subsets', 'workload_selector',
      'destination_rule', 'virtual_service', 'labels', 'annotations',
    ),

    subset: $ => seq(
      'subset',
      field('name', $.identifier),
      '{',
      items(choice($.policy, $.label)),
      '}',
    ),

    // ------------------------------------------------------------ policy

    policy: $ => seq('policy', $._policy_body),

    _policy_body: $ => seq('{', items(choice($.field, $.port_policy)), '}'),

    port_policy: $ => seq('port', field('port', $._value), $._policy_body),

    // A label of a subset's pods.
    label: $ => seq(field('key', choice($.string, $.identifier)), '=', field('value', $._value)),

    // A field of a policy or an object: a value, or an object of fields.
    field: $ => seq(
      field('key', choice($.string, $.identifier)),
      choice(seq('=', field('value', $._value)), field('value', $.object)),
    ),

    // ------------------------------------------------------------ routes

    route: $ => seq(
      optional(field('kind', $.route_kind)),
      'route',
      optional(field('name', choice($.identifier, $.string))),
      '{',
      repeat($._statement),
      '}',
    ),

    route_kind: _ => choice('tcp', 'tls', 'http'),

    _statement: $ => choice(
      $.match_statement, $.to_statement, $.timeout_statement, $.retries_statement,
      $.fault_statement, $.mirror_statement, $.rewrite_statement, $.redirect_statement,
      $.respond_statement, $.delegate_statement, $.headers_statement, $.cors_statement,
    ),

    match_statement: $ => seq('match', sep1($._condition, 'and')),

    _condition: $ => choice(
      $.string_condition, $.header_condition, $.query_condition, $.without_condition,
      $.source_condition, $.namespace_condition, $.simple_condition, 'ignore_uri_case',
    ),

    string_condition: $ => seq(
      field('subject', choice('uri', 'scheme', 'method', 'authority')),
      $.string_op,
      $._value,
    ),

    string_op: _ => choice('exact', 'prefix', 'regex'),

    header_condition: $ => seq('header', $._comparison),

    query_condition: $ => seq('query', $._comparison),

    without_condition: $ => seq('without', 'header', $._comparison),

    _comparison: $ => seq($._value, choice(seq($.string_op, $._value), 'present')),

    source_condition: $ => seq('source', $.object),

    namespace_condition: $ => seq('source', 'namespace', $._value),

    // A condition of one word and its value.
    simple_condition: $ => seq(
      field('subject', choice(
        'port', 'gateway', 'sni', 'destination_subnet', 'source_subnet', 'name', 'stat_prefix',
      )),
      $._value,
    ),

    to_statement: $ => seq('to', sep1($.destination, ',')),

    destination: $ => seq($.target, optional(field('weight', choice($.percent, $.number)))),

    // A service, `service/subset` or a subset, or a quoted host; then a port.
    target: $ => seq(
      choice(
        $.string,
        seq(
          field('name', $.identifier),
          optional(seq(token.immediate('/'), field('subset', alias($._immediate_identifier, $.identifier)))),
        ),
      ),
      optional(seq(token.immediate(':'), field('port', alias(token.immediate(/\d+/), $.number)))),
    ),

    _immediate_identifier: _ => token.immediate(IDENT),

    timeout_statement: $ => seq('timeout', $._value),

    retries_statement: $ => seq('retries', $._value, repeat($.retry_option)),

    retry_option: $ => seq(
      field('key', choice('per_try', 'on', 'remote_localities', 'ignore_previous_hosts', 'backoff')),
      $._value,
    ),

    fault_statement: $ => seq('fault', choice($.fault_delay, $.fault_abort)),

    fault_delay: $ => seq('delay', optional('exponential'), $._value, optional($._value)),

    fault_abort: $ => seq('abort', choice(seq('grpc', $._value), $._value), optional($._value)),

    mirror_statement: $ => seq('mirror', $.target, optional($._value)),

    rewrite_statement: $ => seq(
      'rewrite',
      choice(seq('uri', 'regex', $._value, $._value), seq(choice('uri', 'authority'), $._value)),
    ),

    redirect_statement: $ => seq('redirect', repeat1($.redirect_option)),

    redirect_option: $ => seq(
      field('key', choice('uri', 'authority', 'scheme', 'port', 'derive_port', 'code', 'prefix')),
      $._value,
    ),

    respond_statement: $ => seq('respond', $._value, optional(choice(seq('bytes', $._value), $._value))),

    delegate_statement: $ => seq('delegate', $._value, optional(seq('namespace', $._value))),

    headers_statement: $ => seq(
      'headers',
      field('side', choice('request', 'response')),
      field('operation', choice('set', 'add', 'remove')),
      $._value,
      optional($._value),
      optional(seq('for', $.target)),
    ),

    cors_statement: $ => seq('cors', $.object),

    // ------------------------------------------------------------ values

    _value: $ => choice(
      $.string, $.duration, $.percent, $.number, $.identifier, $.word, $.list, $.object,
    ),

    list: $ => seq('[', optional(seq(sep1($._value, ','), optional(','))), ']'),

    object: $ => seq('{', items($.field), '}'),

    identifier: _ => IDENT,

    string: _ => token(seq('"', repeat(choice(/[^"\\\n]/, /\\(["\\/bfnrt]|u[0-9A-Fa-f]{4})/)), '"')),

    number: _ => token(new RegExp(`-?${DIGITS}`)),

    percent: _ => token(new RegExp(`-?${DIGITS}%`)),

    duration: _ => token(new RegExp(`-?${DIGITS}${UNIT}(${DIGITS}${UNIT})*`)),

    // A bare value that starts with a digit but is no number (`5xx`,
    // `5sec`), which the compiler reads as text to be quoted.  The longest
    // match wins, and a number, duration or percentage over a word of the
    // same length (they come first).
    word: _ => /[0-9]([A-Za-z0-9_-]|\.[A-Za-z0-9_-])*/,

    comment: _ => token(seq('//', /[^\n]*/)),
  },
});
