export { parseJsonText, emptyFacts, formatPath, goQuoteChar, JsonSyntaxError, JsonTooDeepError, type DecodeFacts, type DuplicateKey } from './json-text.js';
export { parseYamlText, YamlSyntaxError, type YamlDecoded } from './yaml-text.js';
export { checkAgainstSchema, DecodeTypeError, type UnknownField, type SchemaCheckOptions } from './schema-check.js';
export {
  enforceFieldValidation, parseFieldValidation, strictMessages, warningHeader, yamlDuplicatesMessage,
  type FieldValidation, type StrictFindings,
} from './field-validation.js';
