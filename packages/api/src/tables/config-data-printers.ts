import type { ConfigMap, Secret } from '../types.js';
import { DESCRIPTIONS as D } from './column-descriptions.js';
import { translateTimestampSince } from './human-duration.js';
import { column, type Printer } from './table-types.js';

const CONFIG_MAP_DATA = "Data contains the configuration data. Each key must consist of alphanumeric characters, '-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The keys stored in Data must not overlap with the keys in the BinaryData field, this is enforced during validation process.";
const SECRET_TYPE = 'Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types';
const SECRET_DATA = "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4";

function count(m: Record<string, unknown> | undefined): number {
  return m ? Object.keys(m).length : 0;
}

/** ConfigMap columns and printer (printers.go printConfigMap): NAME, DATA (keys of data + binaryData), AGE. */
export const CONFIG_MAP_PRINTER: Printer<ConfigMap> = {
  columns: [
    column('Name', 'string', D.name, 0, 'name'),
    column('Data', 'string', CONFIG_MAP_DATA),
    column('Age', 'string', D.age),
  ],
  print: (cm, now) => ({
    cells: [cm.metadata.name ?? '', count(cm.data) + count(cm.binaryData), translateTimestampSince(cm.metadata.creationTimestamp, now)],
  }),
};

/** Secret columns and printer (printers.go printSecret): NAME, TYPE, DATA (number of keys), AGE. */
export const SECRET_PRINTER: Printer<Secret> = {
  columns: [
    column('Name', 'string', D.name, 0, 'name'),
    column('Type', 'string', SECRET_TYPE),
    column('Data', 'string', SECRET_DATA),
    column('Age', 'string', D.age),
  ],
  print: (s, now) => ({
    cells: [s.metadata.name ?? '', s.type ?? '', count(s.data), translateTimestampSince(s.metadata.creationTimestamp, now)],
  }),
};
