import { runBrokerContract } from '../broker-contract.js';
import { MemoryBroker } from './memory-broker.js';

runBrokerContract('MemoryBroker', async (clock) => new MemoryBroker({ clock }));
