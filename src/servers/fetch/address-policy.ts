import { isIPv6 } from 'node:net';
import { type AddressClassification, classifyAddress } from './address-classification.js';
import { FetchError } from '../../errors/fetch-error.js';

export interface AddressPolicyOptions {
  /** Allow every address, loopback and private networks included. */
  allowPrivateNetwork: boolean;
  /** Host names or IP literals whose addresses are allowed whatever they are. */
  allowedHosts: readonly string[];
}

/**
 * Decides which addresses the fetch server may connect to: public addresses always; any address when
 * allowPrivateNetwork is set or when the URL's host is listed in allowedHosts (compared in canonical form:
 * lower case, IPv4 literals as the URL parser writes them, IPv6 without brackets).
 */
export class AddressPolicy {
  readonly allowPrivateNetwork: boolean;
  private readonly allowedHosts: ReadonlySet<string>;

  constructor(options: AddressPolicyOptions) {
    this.allowPrivateNetwork = options.allowPrivateNetwork;
    this.allowedHosts = new Set(options.allowedHosts.map(canonicalHost));
  }

  /** Whether every address of `hostname` (as a URL writes it) may be reached without looking at it. */
  isExempt(hostname: string): boolean {
    return this.allowPrivateNetwork || this.allowedHosts.has(canonicalHost(hostname));
  }

  /** Why connecting to `address` for `hostname` is refused; undefined when it is allowed. */
  check(hostname: string, address: string): AddressClassification | undefined {
    if (this.isExempt(hostname)) return undefined;
    const classification = classifyAddress(address);
    return classification.kind === 'public' ? undefined : classification;
  }
}

/** `localhost`, `127.0.0.1`, `::1`: a host as a URL's hostname gives it, in one spelling. */
export function canonicalHost(host: string): string {
  const trimmed = host.trim().toLowerCase().replace(/\.$/, '');
  const bare = trimmed.replace(/^\[(.*)\]$/, '$1');
  if (isIPv6(bare)) return new URL(`http://[${bare}]/`).hostname.slice(1, -1);
  try {
    return new URL(`http://${trimmed}/`).hostname.replace(/\.$/, '');
  } catch {
    return trimmed;
  }
}

/** The error for a refused address: what was refused, why, and how a user can allow it. */
export function refusedAddressError(
  url: string,
  hostname: string,
  address: string,
  classification: AddressClassification,
): FetchError {
  const host = canonicalHost(hostname);
  const where =
    canonicalHost(address) === host
      ? `${address} is ${classification.description}`
      : `the host "${host}" resolves to ${address}, ${classification.description}`;
  return new FetchError(
    url,
    'refused_address',
    `Refused to fetch ${url}: ${where}. The fetch server connects only to public internet addresses, so that ` +
      `local services, private networks and cloud metadata endpoints stay out of reach. If this host should be ` +
      `reachable, add "${host}" to options.allowedHosts of the fetch server in config.json (or set ` +
      'options.allowPrivateNetwork to true).',
  );
}
