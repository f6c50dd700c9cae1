import { Lexer, Parser } from 'yaml';

/**
 * Does a YAML text nest deeper than `limit`? The `yaml` composer (YAML.parse) recurses several
 * frames per level: around a thousand levels exhaust the stack, and when that happens while V8
 * compiles a regular expression the whole process dies ("RegExpCompiler Allocation failed -
 * process out of memory"). So the api-server asks this first and parses only shallow documents.
 *
 * It runs the library's own lexer and CST parser, which are iterative, one token at a time, and
 * watches the parser's stack (one entry per open document, collection and item, so the stack is
 * never shallower than the nesting): the answer follows YAML's real tokenization (quotes, block
 * scalars, comments), and a deep document is refused after about `limit` tokens, not parsed whole.
 */
export function yamlNestsDeeperThan(text: string, limit: number): boolean {
  const parser = new Parser();
  for (const lexeme of new Lexer().lex(text)) {
    for (const token of parser.next(lexeme)) void token;
    if (parser.stack.length > limit) return true;
  }
  return false;
}
