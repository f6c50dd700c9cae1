import { Gauge, type Registry } from 'prom-client';

/**
 * client-go's `leader_election_master_status{name}`: 1 while this process holds the Lease
 * `name`, else 0. Read at scrape time from `isLeader`, so nothing runs between scrapes.
 */
export function registerLeaderStatus(registry: Registry, name: string, isLeader: () => boolean): void {
  new Gauge({
    name: 'leader_election_master_status', help: 'Gauge of whether this process holds the leader election Lease (1) or not (0)',
    labelNames: ['name'], registers: [registry],
    collect() {
      this.set({ name }, isLeader() ? 1 : 0);
    },
  });
}
