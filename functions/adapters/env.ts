/** Configuration from the environment, read once and failing fast with the variable named. */
import { BUCKETS, TABLES, type TableId } from '../shared/definitions.js';

export class ConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigurationError';
  }
}

export function requireEnv(name: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new ConfigurationError(`environment variable ${name} is not set`);
  return v;
}

export function tableName(id: TableId): string {
  return requireEnv(TABLES[id].envVar);
}

export function bucketName(id: keyof typeof BUCKETS): string {
  return requireEnv(BUCKETS[id].envVar);
}
