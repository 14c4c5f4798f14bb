/**
 * The SSRF guard of webhook targets: a shop names a URL and Starling's servers
 * POST to it, so a URL that reaches the service's own network (loopback, the
 * private ranges, link-local and the cloud metadata service at
 * 169.254.169.254) would let any shop probe or attack it. Such targets are
 * refused unless STARLING_WEBHOOKS_ALLOW_PRIVATE=1 (tests, local development).
 *
 * Checked twice: when the endpoint is saved (a clear error for the shop) and
 * on every delivery, on the address actually connected to. A name is resolved
 * once per delivery and the connection goes to that checked address (the
 * `lookup` handed to http.request), so a DNS answer that changes between the
 * check and the connection (DNS rebinding) cannot slip past.
 */
import dns from "node:dns";
import net from "node:net";
import { invalidInput } from "../../errors.js";

/** Names that point at a metadata service or at the host itself, refused before any lookup. */
const FORBIDDEN_NAMES = new Set([
  "localhost",
  "metadata",
  "metadata.google.internal",
  "metadata.goog",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.internal",
]);

type Range = readonly [bits: bigint, prefix: number, reason: string];

/**
 * Ranges from rows of [CIDR, what it is]; the reason shown names both, as
 * "private (10.0.0.0/8)" (a single address without its /128).
 */
function ranges(toBigInt: (address: string) => bigint | null, rows: readonly (readonly [cidr: string, what: string])[]): readonly Range[] {
  return rows.map(([cidr, what]) => {
    const [address, prefix] = cidr.split("/") as [string, string];
    return [toBigInt(address)!, Number(prefix), `${what} (${prefix === "128" ? address : cidr})`];
  });
}

const IPV4_RANGES = ranges(ipv4ToBigInt, [
  ["0.0.0.0/8", "this-network"],
  ["10.0.0.0/8", "private"],
  ["100.64.0.0/10", "carrier-grade NAT"],
  ["127.0.0.0/8", "loopback"],
  ["169.254.0.0/16", "link-local, cloud metadata"],
  ["172.16.0.0/12", "private"],
  ["192.0.0.0/24", "IETF protocol assignments"],
  ["192.0.2.0/24", "documentation"],
  ["192.168.0.0/16", "private"],
  ["198.18.0.0/15", "benchmarking"],
  ["198.51.100.0/24", "documentation"],
  ["203.0.113.0/24", "documentation"],
  ["224.0.0.0/4", "multicast"],
  ["240.0.0.0/4", "reserved or broadcast"],
]);

const IPV6_RANGES = ranges(ipv6ToBigInt, [
  ["::/128", "unspecified"],
  ["::1/128", "loopback"],
  ["100::/64", "discard"],
  ["2001:db8::/32", "documentation"],
  ["fc00::/7", "unique local"],
  ["fe80::/10", "link-local"],
  ["fec0::/10", "site-local"],
  ["ff00::/8", "multicast"],
]);

/** IPv6 forms that carry an IPv4 address, which is then what decides. */
const EMBEDDED_V4: readonly (readonly [prefix: bigint, prefixLen: number, shift: bigint])[] = [
  [ipv6ToBigInt("::ffff:0:0")!, 96, 0n], // IPv4-mapped
  [ipv6ToBigInt("::")!, 96, 0n], // IPv4-compatible (deprecated, still routed by some stacks)
  [ipv6ToBigInt("64:ff9b::")!, 96, 0n], // NAT64
  [ipv6ToBigInt("64:ff9b:1::")!, 48, 0n], // local-use NAT64 (the IPv4 address in the last 32 bits)
  [ipv6ToBigInt("2002::")!, 16, 80n], // 6to4: the IPv4 address in bits 16-47
];

function ipv4ToBigInt(a: string): bigint | null {
  if (!net.isIPv4(a)) return null;
  return a.split(".").reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(a: string): bigint | null {
  let s = a.startsWith("[") && a.endsWith("]") ? a.slice(1, -1) : a;
  const zone = s.indexOf("%");
  if (zone >= 0) s = s.slice(0, zone);
  if (!net.isIPv6(s)) return null;
  // A trailing dotted IPv4 part becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const n = ipv4ToBigInt(dotted[1]!)!;
    s = `${s.slice(0, -dotted[1]!.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = s.includes("::") ? s.split("::") : [s, undefined];
  const headGroups = head ? head.split(":") : [];
  const tailGroups = tail === undefined ? [] : tail ? tail.split(":") : [];
  const missing = 8 - headGroups.length - tailGroups.length;
  const groups = tail === undefined ? headGroups : [...headGroups, ...Array<string>(missing).fill("0"), ...tailGroups];
  if (groups.length !== 8) return null;
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function inRange(value: bigint, width: number, base: bigint, prefix: number): boolean {
  const shift = BigInt(width - prefix);
  return value >> shift === base >> shift;
}

function classifyV4(n: bigint): string | null {
  for (const [base, prefix, reason] of IPV4_RANGES) if (inRange(n, 32, base, prefix)) return reason;
  return null;
}

/**
 * Why an IP address may not be a webhook target, or null when it may. Takes
 * IPv4 and IPv6 text (brackets and zone ids allowed); anything that is not an
 * IP address is refused, so a caller cannot pass a name here by mistake.
 */
export function forbiddenAddress(address: string): string | null {
  const a4 = ipv4ToBigInt(address);
  if (a4 !== null) return classifyV4(a4);
  const a6 = ipv6ToBigInt(address);
  if (a6 === null) return "not an IP address";
  for (const [base, prefix, reason] of IPV6_RANGES) if (inRange(a6, 128, base, prefix)) return reason;
  for (const [base, prefix, shift] of EMBEDDED_V4) {
    if (!inRange(a6, 128, base, prefix)) continue;
    const embedded = (a6 >> shift) & 0xffffffffn;
    const reason = classifyV4(embedded);
    if (reason) return `${reason}, inside an IPv6 address`;
  }
  return null;
}

/** Why a host name may not be a webhook target before resolving it, or null. */
export function forbiddenName(hostname: string): string | null {
  const name = hostname.toLowerCase().replace(/\.$/, "");
  if (FORBIDDEN_NAMES.has(name) || name.endsWith(".localhost")) return `the name ${name} points at this host or a metadata service`;
  return null;
}

export interface TargetPolicy {
  readonly allowPrivate: boolean;
}

/**
 * Parses and checks a webhook URL as a shop gives it: http or https, no
 * credentials in it, and a host that is not (and does not resolve to) a
 * forbidden address. Returns the normalised URL. INVALID_INPUT on `url` otherwise.
 */
export async function checkTargetUrl(raw: unknown, policy: TargetPolicy): Promise<string> {
  if (typeof raw !== "string" || raw.length === 0 || raw.length > 2_000)
    throw invalidInput("url", "must be an http or https URL of at most 2000 characters");
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidInput("url", "must be an absolute http or https URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw invalidInput("url", "must use http or https");
  if (url.username || url.password)
    throw invalidInput("url", "must not carry a user name or password (sign requests with the endpoint's secret instead)");
  if (url.hash) throw invalidInput("url", "must not have a #fragment");
  if (policy.allowPrivate) return url.toString();
  const byName = forbiddenName(url.hostname);
  if (byName) throw refused(url.hostname, url.hostname, byName);
  const addresses = await resolveTarget(url.hostname).catch((err: Error) => {
    throw invalidInput("url", `its host does not resolve (${(err as { code?: string }).code ?? err.message})`);
  });
  for (const address of addresses) {
    const reason = forbiddenAddress(address);
    if (reason) throw refused(url.hostname, address, reason);
  }
  return url.toString();
}

function refused(hostname: string, address: string, reason: string) {
  const what =
    hostname === address
      ? net.isIP(address.replace(/^\[|\]$/g, ""))
        ? `${hostname} is a ${reason} address`
        : reason
      : `${hostname} resolves to ${address}, a ${reason} address`;
  const err = invalidInput(
    "url",
    `refused: ${what}; webhooks go to public addresses only (STARLING_WEBHOOKS_ALLOW_PRIVATE=1 allows others for local development)`,
  );
  (err.extensions as Record<string, unknown>).reason = "PRIVATE_ADDRESS";
  return err;
}

/** The addresses a URL host stands for: the literal itself, or every address its name resolves to. */
async function resolveTarget(hostname: string): Promise<string[]> {
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  if (net.isIP(bare)) return [bare];
  const found = await dns.promises.lookup(bare, { all: true, verbatim: true });
  return found.map((f) => f.address);
}

/**
 * A `lookup` for http.request that resolves the name once, refuses it when
 * any of its addresses is forbidden, and hands back the checked address: the
 * socket connects to exactly what was checked.
 */
export function guardedLookup(policy: TargetPolicy): net.LookupFunction {
  return (hostname, options, callback) => {
    const cb = callback as (err: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void;
    const byName = policy.allowPrivate ? null : forbiddenName(hostname);
    if (byName) return cb(new Error(`refused: ${byName}`), "", 4);
    dns.lookup(hostname, { all: true, verbatim: true, family: (options as dns.LookupOptions).family }, (err, addresses) => {
      if (err) return cb(err, "", 4);
      const list = addresses as dns.LookupAddress[];
      if (!policy.allowPrivate) {
        for (const a of list) {
          const reason = forbiddenAddress(a.address);
          if (reason) {
            return cb(new Error(`refused: ${hostname} resolves to ${a.address}, a ${reason} address`), "", 4);
          }
        }
      }
      if (!list.length) return cb(new Error(`${hostname} has no address`), "", 4);
      if ((options as dns.LookupOptions).all) return cb(null, list);
      return cb(null, list[0]!.address, list[0]!.family);
    });
  };
}

/** Refuses a literal IP host at delivery time (http.request does not call `lookup` for one). */
export function checkLiteralHost(hostname: string, policy: TargetPolicy): string | null {
  if (policy.allowPrivate) return null;
  const bare = hostname.startsWith("[") ? hostname.slice(1, -1) : hostname;
  if (!net.isIP(bare)) return null;
  const reason = forbiddenAddress(bare);
  return reason ? `refused: ${bare} is a ${reason} address` : null;
}
