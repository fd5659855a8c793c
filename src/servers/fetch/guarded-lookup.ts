import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import { type AddressPolicy, refusedAddressError } from './address-policy.js';

/**
 * A `lookup` for node:http(s) that resolves a name and hands the connection only addresses the policy allows,
 * so the address checked is the address connected to (no second resolution that DNS rebinding could change).
 * When any address of the name is refused, the whole lookup fails with a FetchError naming it. `url` is used
 * in that message.
 */
export function guardedLookup(policy: AddressPolicy, url: string): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(
      hostname,
      { all: true, family: options.family ?? 0, ...(options.hints === undefined ? {} : { hints: options.hints }) },
      (error, addresses: LookupAddress[]) => {
        if (error) {
          callback(error, '', 0);
          return;
        }
        for (const { address } of addresses) {
          const refusal = policy.check(hostname, address);
          if (refusal !== undefined) {
            callback(refusedAddressError(url, hostname, address, refusal) as NodeJS.ErrnoException, '', 0);
            return;
          }
        }
        const [first] = addresses;
        if (options.all === true) callback(null, addresses);
        else if (first === undefined)
          callback(Object.assign(new Error(`no address for ${hostname}`), { code: 'ENOTFOUND' }), '', 0);
        else callback(null, first.address, first.family);
      },
    );
  };
}
