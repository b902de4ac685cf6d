/**
 * The Dashboard in a real browser (Debian's Chromium, driven by playwright-core): seed 000's
 * first day (apply for an account, the administrator approves it, log in, download credentials,
 * `source eucarc` and run a command with them), its Euare "Using the Dashboard" tasks (a group, a
 * policy, a user, a password, a denied page for that user, rename, delete), and the security
 * around it: cookie flags, no session fixation, CSRF, lock-out, escaped input, the TLS certificate
 * signed by the cloud's CA.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as https from 'node:https';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { readEucarc } from '../../src/shared/eucarc';
import { cleanEnv, runOk, tempDir } from '../helpers/cli';
import { startCloud, type TestCloud } from '../helpers/cloud';
import { registerTestImage } from '../helpers/images';

const CHROMIUM = '/usr/bin/chromium';

/** A POST with this cookie, as a page elsewhere could make the browser send it: its status. */
function post(to: string, cookie: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      to,
      {
        method: 'POST',
        rejectUnauthorized: false,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': body.length },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
const ADMIN_PASSWORD = 'cloud-admin-pass-1';
/** Where the screenshots go: the README's, when UPDATE_SCREENSHOTS=1; else a temporary folder. */
const SHOTS = process.env.UPDATE_SCREENSHOTS
  ? path.resolve(__dirname, '..', '..', '..', 'docs', 'dashboard')
  : tempDir('euca-dashboard-shots-');

describe('the Dashboard', { timeout: 300_000 }, () => {
  let cloud: TestCloud;
  let browser: Browser;
  let url: string;

  before(async () => {
    cloud = await startCloud(undefined, 0, { dashboard: true });
    url = cloud.dashboardUrl!;
    assert.match(url, /^https:\/\/localhost:\d+\/$/);
    await runOk('euare-useraddloginprofile', ['-u', 'admin', '-p', ADMIN_PASSWORD], cloud.env);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
  });
  after(async () => {
    await browser?.close();
    await cloud?.stop();
  });

  /** A browser of its own (cookies apart), which trusts the Dashboard's certificate. */
  const newContext = () => browser.newContext({ ignoreHTTPSErrors: true, acceptDownloads: true });
  const logIn = async (page: Page, account: string, user: string, password: string) => {
    await page.goto(`${url}login`);
    await page.fill('input[name=account]', account);
    await page.fill('input[name=user]', user);
    await page.fill('input[name=password]', password);
    await page.click('button:has-text("Log in")');
  };
  const flash = (page: Page) => page.locator('.flash').first().innerText();
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  test('the certificate is signed by the cloud CA, for localhost', async () => {
    const ca = fs.readFileSync(path.join(cloud.dataDir, 'var', 'lib', 'eucalyptus', 'keys', 'cloud-cert.pem'));
    const port = Number(new URL(url).port);
    const peer = await new Promise<tls.PeerCertificate>((resolve, reject) => {
      const socket = tls.connect({ host: 'localhost', port, ca, servername: 'localhost' }, () => {
        resolve(socket.getPeerCertificate());
        socket.end();
      });
      socket.on('error', reject);
    });
    assert.match(peer.subjectaltname ?? '', /DNS:localhost/);
    const status = await runOk('eucalyptus-cloud', ['status', '--data-dir', cloud.dataDir], cloud.env);
    assert.match(status, new RegExp(`Dashboard: ${url.replace(/[.]/g, '\\.')}`));
  });

  test("seed 000's first day: apply, approval, log in, download credentials, use them", async () => {
    const applicant: BrowserContext = await newContext();
    const page = await applicant.newPage();
    await page.goto(url);
    assert.match(page.url(), /\/login$/);
    await shot(page, 'login');
    await page.click('a:has-text("Apply")');
    await page.fill('input[name=account]', 'acme');
    await page.fill('input[name=email]', 'admin@acme.example');
    await page.fill('input[name=password]', 'acme-admin-pass');
    await page.fill('input[name=password2]', 'acme-admin-pass');
    await page.click('button:has-text("Apply")');
    assert.match(await page.innerText('main'), /waits for the cloud administrator's approval/);
    // Not yet: the account does not exist.
    await logIn(page, 'acme', 'admin', 'acme-admin-pass');
    assert.match(await flash(page), /not right/);

    // The cloud administrator approves it in the Dashboard.
    const admin = await newContext();
    const adminPage = await admin.newPage();
    await logIn(adminPage, 'eucalyptus', 'admin', ADMIN_PASSWORD);
    await adminPage.click('nav >> text=Sign-ups');
    assert.match(await adminPage.innerText('main'), /acme\s+admin@acme\.example/);
    await shot(adminPage, 'sign-ups');
    await adminPage.click('button:has-text("Approve")');
    assert.match(await flash(adminPage), /Approved: account acme \(\d{12}\)/);
    await admin.close();

    // The account's admin logs in with the password chosen at sign-up.
    await logIn(page, 'acme', 'admin', 'acme-admin-pass');
    assert.match(await page.innerText('h1'), /Start/);
    await shot(page, 'start');
    await page.click('summary:has-text("admin@acme")');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('text=Download new credentials')]);
    assert.equal(download.suggestedFilename(), 'euca2-admin-x509.zip');
    const dir = tempDir('euca-dashboard-creds-');
    const zip = path.join(dir, 'creds.zip');
    await download.saveAs(zip);
    execFileSync('unzip', ['-q', zip, '-d', dir]);
    const eucarc = readEucarc(path.join(dir, 'eucarc'))!;
    assert.match(eucarc.EC2_ACCESS_KEY, /^AKI/);
    // `source eucarc`, then a command with those credentials.
    const out = await runOk('euca-describe-availability-zones', [], cleanEnv(eucarc));
    assert.match(out, /^AVAILABILITYZONE\tcluster01/m);
    await applicant.close();
  });

  test('groups, a policy, users and a password; a user sees the denial of what the policy does not allow', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    await logIn(page, 'acme', 'admin', 'acme-admin-pass');
    // Seed 000: "Click Accounts ... New groups", then Groups to add the policy.
    await page.click('nav >> text=Accounts');
    await page.click('summary:has-text("New groups in acme")');
    await page.fill('details[open] input[name=names]', 'readers');
    await page.fill('details[open] input[name=path]', '/area_abc/');
    await page.click('details[open] button:has-text("OK")');
    assert.match(await flash(page), /Created groups readers/);
    await page.click('nav >> text=Groups');
    await page.click('a:has-text("readers")');
    await page.click('summary:has-text("Add policy")');
    await page.fill('input[name=policy]', 'describe-only');
    await page.fill('input[name=actions]', 'ec2:Describe*');
    await page.click('details.action button:has-text("OK")');
    assert.match(await flash(page), /Policy describe-only added/);
    assert.match(await page.innerText('.policy pre'), /"ec2:Describe\*"/);
    await shot(page, 'group');

    await page.click('nav >> text=Accounts');
    await page.click('summary:has-text("New users in acme")');
    await page.fill('details[open] input[name=names]', 'alice');
    await page.click('details[open] button:has-text("OK")');
    assert.match(await flash(page), /Created users alice/);
    assert.match(await page.innerText('table'), /admin, alice\s+readers/);
    await page.click('nav >> text=Groups');
    await page.click('a:has-text("readers")');
    await page.fill('input[name=user]', 'alice');
    await page.click('button:has-text("Add users")');
    assert.match(await flash(page), /Added alice/);
    await page.click('nav >> text=Users');
    await page.click('a:has-text("alice")');
    await page.fill('input[name=password]', 'alice-pass-123');
    await page.fill('input[name=password2]', 'alice-pass-123');
    await page.click('section:has-text("Password") button:has-text("OK")');
    assert.match(await flash(page), /password of alice is set/);
    await shot(page, 'user');

    // alice may describe, not list the account's users: the page shows the API's denial.
    const aliceCtx = await newContext();
    const alicePage = await aliceCtx.newPage();
    await logIn(alicePage, 'acme', 'alice', 'alice-pass-123');
    await alicePage.click('nav >> text=Users');
    assert.match(await flash(alicePage), /AccessDenied/);

    // A user with no policy at all sees no EC2 resources either: each list as its describe is allowed.
    await page.click('nav >> text=Users');
    await page.click('summary:has-text("New users")');
    await page.fill('details[open] input[name=names]', 'carol');
    await page.click('details[open] button:has-text("OK")');
    await page.click('a:has-text("carol")');
    await page.fill('input[name=password]', 'carol-pass-123');
    await page.fill('input[name=password2]', 'carol-pass-123');
    await page.click('section:has-text("Password") button:has-text("OK")');
    const carol = await (await newContext()).newPage();
    await logIn(carol, 'acme', 'carol', 'carol-pass-123');
    await carol.click('nav >> text=Resources');
    assert.equal((await carol.innerText('main')).match(/Your policies do not let you list these/g)?.length, 4);
    await carol.click('nav >> text=Images');
    assert.match(await flash(carol), /UnauthorizedOperation/);

    // A new password ends the sessions from before it.
    await page.click('nav >> text=Users');
    await page.click('a:has-text("alice")');
    await page.fill('input[name=password]', 'alice-pass-456');
    await page.fill('input[name=password2]', 'alice-pass-456');
    await page.click('section:has-text("Password") button:has-text("OK")');
    await alicePage.goto(`${url}groups`);
    assert.match(alicePage.url(), /\/login$/);
    await aliceCtx.close();

    // The cloud administrator disables alice: her session ends and she cannot log in again.
    const cloudAdmin = await (await newContext()).newPage();
    await logIn(cloudAdmin, 'eucalyptus', 'admin', ADMIN_PASSWORD);
    await cloudAdmin.click('nav >> text=Accounts');
    assert.match(await cloudAdmin.innerText('main'), /acme\s+\d{12}\s+admin, alice/);
    await cloudAdmin.fill('input[name=account]', 'acme');
    await cloudAdmin.fill('input[name=user]', 'alice');
    await cloudAdmin.click('button:has-text("Disable")');
    assert.match(await flash(cloudAdmin), /alice in acme is disabled/);
    const again = await (await newContext()).newPage();
    await logIn(again, 'acme', 'alice', 'alice-pass-456');
    assert.match(await flash(again), /not right, or the user may not log in/);

    // Rename and move the group (both sides of the move are the admin's), then delete it and alice.
    await page.click('nav >> text=Groups');
    await page.click('a:has-text("readers")');
    await page.fill('section:has-text("Properties") input[name=name]', 'viewers');
    await page.fill('section:has-text("Properties") input[name=path]', '/area_efg/');
    await page.click('section:has-text("Properties") button:has-text("Save")');
    assert.match(await page.innerText('h1'), /Group viewers/);
    assert.match(await page.innerText('main'), /group\/area_efg\/viewers/);
    assert.equal(
      (await runOk('euare-grouplistbypath', [], cleanEnv({ ...cloud.eucarc }))).includes('viewers'),
      false,
      "another account's group is not the cloud admin's own listing",
    );
    await page.fill('input[name=user]', 'alice');
    await page.click('button:has-text("Remove users")');
    assert.match(await flash(page), /Removed alice/);
    assert.match(await page.innerText('main'), /No users in this group/);
    await page.click('button:has-text("Delete viewers")');
    assert.match(await flash(page), /Deleted viewers/);
    // Rename and move a user; list users sorted by path (seed 000: "click the Path column").
    await page.click('nav >> text=Users');
    await page.click('a:has-text("alice")');
    await page.fill('section:has-text("Properties") input[name=name]', 'alice2');
    await page.fill('section:has-text("Properties") input[name=path]', '/team_efg/');
    await page.click('section:has-text("Properties") button:has-text("Save")');
    assert.match(await page.innerText('main'), /user\/team_efg\/alice2/);
    await page.click('nav >> text=Users');
    await page.click('th:has-text("Path")');
    const paths = await page.locator('table tbody tr td:nth-child(2)').allInnerTexts();
    assert.deepEqual(paths, [...paths].sort());
    assert.equal(await page.getAttribute('th:has-text("Path")', 'aria-sort'), 'ascending');
    await page.click('a:has-text("alice2")');
    await page.click('button:has-text("Delete alice2")');
    assert.match(await flash(page), /Deleted alice2/);
    await ctx.close();
  });

  test('sessions: cookie flags, a new session at log-in, CSRF, lock-out, escaped input', async () => {
    const ctx = await newContext();
    const page = await ctx.newPage();
    await page.goto(`${url}login`);
    const before = (await ctx.cookies()).map((c) => c.value);
    await logIn(page, 'acme', 'admin', 'acme-admin-pass');
    const session = (await ctx.cookies()).find((c) => c.name === '__Host-euca-dashboard')!;
    assert.ok(session, 'a session cookie');
    assert.equal(session.httpOnly, true);
    assert.equal(session.secure, true);
    assert.equal(session.sameSite, 'Strict');
    assert.ok(!before.includes(session.value), 'the session ID is new at log-in');

    // A form posted without its token is refused, and changes nothing.
    const forged = await post(`${url}groups`, `__Host-euca-dashboard=${session.value}`, 'names=forged&path=/');
    assert.equal(forged, 403);
    await page.goto(`${url}groups`);
    assert.doesNotMatch(await page.innerText('main'), /forged/);

    // What a user types is text: a policy document with markup in it.
    await page.click('summary:has-text("New groups")');
    await page.fill('input[name=names]', 'xss');
    await page.click('button:has-text("OK")');
    await page.click('a:has-text("xss")');
    await page.click('summary:has-text("Add policy")');
    await page.fill('input[name=policy]', 'markup');
    const doc = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        {
          Sid: 'x</pre><script id="injected">window.pwned=1</script>',
          Effect: 'Allow',
          Action: 'ec2:Describe*',
          Resource: '*',
        },
      ],
    });
    await page.fill('textarea[name=document]', doc);
    await page.click('details.action button:has-text("OK")');
    // Shown as the text it is (JSON-escaped quotes and all), never as markup.
    assert.match(await page.innerText('.policy pre'), /x<\/pre><script id=\\"injected\\">window\.pwned=1<\/script>/);
    assert.equal(await page.locator('script#injected').count(), 0);
    assert.equal(await page.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned), undefined);
    await ctx.close();

    // An image's description, as its owner wrote it, is text too; another account's private
    // image is not shown at all.
    const theirs = await registerTestImage(cloud.env, undefined, ['-d', 'private to the cloud admin']);
    const marked = await registerTestImage(cloud.env, undefined, [
      '-d',
      '<img src=x id="img-injected" onerror="globalThis.pwned=2">',
    ]);
    await runOk('euca-modify-image-attribute', ['-l', '-a', 'all', marked], cloud.env);
    const acme = await (await newContext()).newPage();
    await logIn(acme, 'acme', 'admin', 'acme-admin-pass');
    await acme.click('nav >> text=Images');
    const images = await acme.innerText('main');
    assert.match(images, new RegExp(`${marked}[\\s\\S]*<img src=x id="img-injected"`));
    assert.equal(await acme.locator('#img-injected').count(), 0);
    assert.doesNotMatch(images, new RegExp(theirs));

    // Five wrong passwords lock the name out, the right one too, and the page says so.
    const guess = await (await newContext()).newPage();
    for (let i = 0; i < 5; i++) await logIn(guess, 'acme', 'admin', `wrong-${i}`);
    await logIn(guess, 'acme', 'admin', 'acme-admin-pass');
    assert.match(await flash(guess), /Too many failed log-ins: locked until/);
  });
});
