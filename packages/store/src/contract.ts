import { afterEach, describe } from 'vitest';
import { describeCrud } from './contract-crud.js';
import type { ContractStoreFactory, ContractStoreHandle, ContractStoreOptions } from './contract-fixtures.js';
import { describeLists } from './contract-list.js';
import { describeRetention } from './contract-retention.js';
import { describeWatch } from './contract-watch.js';
import type { Store } from './store.js';

export type { ContractStoreFactory, ContractStoreHandle, ContractStoreOptions } from './contract-fixtures.js';

/**
 * The Store contract as a vitest suite: every Store implementation runs it from its own test file.
 * `make` must return a fresh, empty, isolated store per call (honouring `maxLogLength`,
 * `logRetentionSeconds` and `now` when given) and a cleanup that removes all it created; the suite closes each store, then cleans up.
 *
 * Covers: create/get/update/delete, AlreadyExists, NotFound, Conflict carrying the current object,
 * unconditional updates, 20 racing CAS updates, cluster-scoped kinds, key validation; namespace,
 * label (equality and set-based), field and owner selectors and index upkeep; pagination (order,
 * completeness, filtered pages, convergence with concurrent writers); changesSince order,
 * exclusivity, DELETED revisions, 410 after trimming and for future revisions, a watch racing 40
 * writers; tail across kinds with blocking and abort; age-based log trimming on a fake clock (what
 * goes, what stays, 410 from a trimmed revision, a watch inside the window misses nothing).
 */
export function runStoreContract(name: string, make: ContractStoreFactory): void {
  describe(`Store contract: ${name}`, () => {
    const opened: ContractStoreHandle[] = [];
    const open = async (opts?: ContractStoreOptions): Promise<Store> => {
      const h = await make(opts);
      opened.push(h);
      return h.store;
    };
    afterEach(async () => {
      for (const h of opened.splice(0)) {
        await h.store.close();
        await h.cleanup();
      }
    });
    describeCrud(open);
    describeLists(open);
    describeWatch(open);
    describeRetention(open);
  });
}
