/**
 * @module policy
 * The policy part's public surface: canonical hosts, compiled policies and `decide()`. Pure; no I/O.
 */
export * from './types.js';
export { canonicalHost, HOST_ERRORS, type CanonicalHost } from './host.js';
export { createCidrList, parseAddress, parseRange, CIDR_ERRORS, type CidrList } from './cidr.js';
export { createDomainSet, type DomainSet } from './domain-set.js';
export { compilePolicy, groupFor, type Policy, type CompiledGroup, type CompiledScheme } from './compile.js';
export { decide, effectiveMode } from './decide.js';
