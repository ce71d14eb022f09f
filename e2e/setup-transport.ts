// Selects the transport the e2e suite runs on, from MONOCOQUE_TRANSPORT (default node:net).
// With MONOCOQUE_TRANSPORT=uring the io_uring transport must load: under CI (or with
// MONOCOQUE_REQUIRE_URING=1) a missing addon fails the run; elsewhere the run is skipped
// with the reason printed — never silently run on the fallback.
import { getDefaultTransport } from '@monocoque/core';

const wanted = process.env.MONOCOQUE_TRANSPORT ?? 'net';
if (wanted === 'uring') {
  const { uringUnavailableReason } = await import('@monocoque/uring');
  const reason = uringUnavailableReason();
  if (reason !== undefined) {
    const message = `MONOCOQUE_TRANSPORT=uring but the io_uring transport cannot load: ${reason}`;
    if (process.env.CI === 'true' || process.env.MONOCOQUE_REQUIRE_URING === '1') throw new Error(message);
    console.warn(`SKIPPING the uring e2e run: ${message}`);
    process.exit(0);
  }
  await import('@monocoque/uring/register');
}
const active = getDefaultTransport().name;
if (active !== wanted) throw new Error(`e2e wanted transport ${wanted}, but sockets would use ${active}`);
