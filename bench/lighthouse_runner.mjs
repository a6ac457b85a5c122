// Runs Lighthouse's SEO category on each URL with one Chromium, printing one JSON line per URL:
// {"url": ..., "audits": {id: {"score": 0|1|null, "mode": "binary"|"notApplicable"|"error", "items": n}}}.
// Usage: node lighthouse_runner.mjs <dir holding node_modules/lighthouse> <chrome path> <url>...
import path from 'node:path';
import {pathToFileURL} from 'node:url';

const [moduleDir, chromePath, ...urls] = process.argv.slice(2);
const load = rel => import(pathToFileURL(path.join(moduleDir, 'node_modules', rel)).href);
const {default: lighthouse} = await load('lighthouse/core/index.js');
const chromeLauncher = await load('chrome-launcher/dist/index.js');

const chrome = await chromeLauncher.launch({
  chromePath,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
const config = {
  extends: 'lighthouse:default',
  settings: {
    onlyCategories: ['seo'],
    ignoreStatusCode: true, // so http-status-code (and the rest) are judged on a 404 page too
    throttlingMethod: 'provided',
    disableFullPageScreenshot: true,
  },
};
try {
  for (const url of urls) {
    let line;
    try {
      const result = await lighthouse(url, {port: chrome.port, logLevel: 'error', output: 'json'}, config);
      const audits = {};
      for (const ref of result.lhr.categories.seo.auditRefs) {
        const audit = result.lhr.audits[ref.id];
        audits[ref.id] = {
          score: audit.score,
          mode: audit.scoreDisplayMode,
          items: audit.details && audit.details.items ? audit.details.items.length : 0,
        };
      }
      line = {url, audits, runtimeError: result.lhr.runtimeError ? result.lhr.runtimeError.code : null};
    } catch (err) {
      line = {url, audits: {}, runtimeError: String(err && err.message || err)};
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
} finally {
  await chrome.kill();
}
