/**
 * @module audit/errors
 * The audit part's error codes, in one table. Thrown as `CordonError`.
 */
export const AUDIT_ERRORS = {
  /** The database was written by a newer Cordon (its schema version is higher). */
  schemaNewer: 'CORDON_AUDIT_SCHEMA_NEWER',
  /** The store was used after `close()`. */
  closed: 'CORDON_AUDIT_CLOSED',
  /** A review item, change or other row asked for by id does not exist. */
  notFound: 'CORDON_AUDIT_NOT_FOUND',
  /** A change cannot be reverted automatically (the text it touched was edited since). */
  revertConflict: 'CORDON_AUDIT_REVERT_CONFLICT',
} as const;
