/**
 * @module net
 * The net part's public surface: resolve → classify every address → pin; host:port parsing; the
 * TLS ClientHello (SNI) peek. Test support (test-dns-server, test-client-hello) is imported directly
 * by tests, not from here. Must not know policy rules or config files.
 */
export { NET_ERRORS, NetError, type NetErrorCode } from './errors.js';
export {
  IPV4_SPECIAL_RANGES,
  IPV6_SPECIAL_RANGES,
  cidrListContains,
  cidrListFind,
  classifyAddress,
  createAddressGuard,
  localInterfaceAddresses,
  parseCidrList,
  type AddressCheck,
  type AddressClass,
  type AddressGuard,
  type AddressGuardOptions,
  type CidrList,
  type SpecialRange,
} from './address.js';
export { formatAuthority, parseAuthority, parseHostHeader, parsePort, type Authority } from './authority.js';
export {
  DEFAULT_CLIENT_HELLO_MAX_BYTES,
  createClientHelloReader,
  parseClientHello,
  type ClientHelloReader,
  type ClientHelloReaderOptions,
  type ClientHelloResult,
} from './client-hello.js';
export {
  createResolver,
  parseDnsServer,
  type HostResolver,
  type ResolveResult,
  type ResolverOptions,
} from './resolver.js';
