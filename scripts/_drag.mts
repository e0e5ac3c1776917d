import { serve } from '../src/cli/serve';
import { launch, recordLongTasks } from '../test/e2e/browser';
const server = await serve({ roots: [], port: 0, distDir: '.cache/bench-dist', log: () => {} });
const browser = await launch();
const dir = process.argv[2] ?? 'test/fixtures/traces/long-session';
for (let i = 0; i < 3; i++) {
  const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await ctx.newPage();
  await recordLongTasks(page);
  await page.goto(server.url);
  await page.getByTestId('welcome').waitFor();
  await page.waitForTimeout(1000);
  const cdp = await ctx.newCDPSession(page);
  const data = { items: [], files: [(await import('node:path')).resolve(dir)], dragOperationsMask: 1 };
  await cdp.send('Input.dispatchDragEvent', { type: 'dragEnter', x: 600, y: 400, data } as any);
  await cdp.send('Input.dispatchDragEvent', { type: 'dragOver', x: 600, y: 400, data } as any);
  const t0 = await page.evaluate(() => performance.now());
  await cdp.send('Input.dispatchDragEvent', { type: 'drop', x: 600, y: 400, data } as any);
  try {
    await page.getByTestId('summary-items').waitFor({ timeout: 30000 });
    const r = await page.evaluate(() => {
      const s = performance.getEntriesByName('ctv:stream-start').at(-1), e = performance.getEntriesByName('ctv:stream-end').at(-1), res = performance.getEntriesByName('ctv:result-received').at(-1);
      return { read: s && e ? e.startTime - s.startTime : null, streamStart: s?.startTime, result: res?.startTime };
    });
    console.log(JSON.stringify({ ...r, sinceDrop: r.result! - t0, startAfterDrop: r.streamStart! - t0 }));
  } catch (e) { console.log('no load', String(e).slice(0, 200)); await page.screenshot({ path: '/tmp/exp/drag.png' }); }
  await ctx.close();
}
await browser.close(); await server.close();
