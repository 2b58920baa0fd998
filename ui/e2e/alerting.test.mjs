// Alerting pages against a running vigil with an alert manager config: alerts posted to
// /api/v2/alerts show as groups; a silence is made from an alert through the editor (its
// preview lists the alert), checked with amtool, and expired from the page; a group is
// acknowledged and unacknowledged from the page.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { startVigil, launchBrowser, newPage, screenshot } from './harness.mjs';

let vigil;
let browser;

// Receivers post to a loopback port where nothing listens: notifications fail, which is fine.
const amConfig = `route:
  receiver: team-hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  routes:
    - receiver: pager
      matchers: ['severity="critical"']
receivers:
  - name: team-hook
    webhook_configs:
      - url: http://127.0.0.1:9/hook
  - name: pager
    webhook_configs:
      - url: http://127.0.0.1:9/pager
  - name: lead
    webhook_configs:
      - url: http://127.0.0.1:9/lead
time_intervals:
  - name: weekend
    time_intervals:
      - weekdays: [saturday, sunday]
  - name: all-day
    time_intervals:
      - times: [{start_time: '00:00', end_time: '24:00'}]
vigil:
  recurring_silences:
    - name: daily-maintenance
      matchers: ['env="maintenance"']
      time_intervals: [all-day]
  escalations:
    - name: ladder
      matchers: ['severity="critical"']
      levels:
        - after: 1h
          receiver: lead
`;

const alerts = [
  { labels: { alertname: 'E2EDiskFull', severity: 'critical', instance: 'host-1' }, annotations: { summary: 'Disk is full on host-1' } },
  { labels: { alertname: 'E2EHighLatency', severity: 'warning', instance: 'api-1' }, annotations: { summary: 'p99 latency above 1s' } },
];

async function postAlerts() {
  // startsAt is given: without it Alertmanager (and Vigil) take endsAt as the start.
  const startsAt = new Date(Date.now() - 120_000).toISOString();
  const endsAt = new Date(Date.now() + 3_600_000).toISOString();
  const r = await fetch(`${vigil.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(alerts.map((a) => ({ ...a, startsAt, endsAt }))),
  });
  assert.equal(r.status, 200, await r.text());
}

before(async () => {
  vigil = await startVigil({ files: { 'alertmanager.yml': amConfig }, args: ['--alertmanager.config.file={dir}/alertmanager.yml'] });
  browser = await launchBrowser();
  await postAlerts();
});
after(async () => {
  await browser?.close();
  await vigil?.stop();
});

/** amtool's view of the silences, or null (with a loud note) when amtool is not installed. */
function amtoolSilences(expired) {
  let have = true;
  try {
    execFileSync('sh', ['-c', 'command -v amtool'], { stdio: 'ignore' });
  } catch {
    have = false;
  }
  if (!have) {
    if (process.env.CI === 'true') throw new Error('amtool is not installed (Debian package prometheus-alertmanager) and CI=true: cannot check silences with amtool');
    console.log('SKIPPED: amtool not installed — the amtool assertions are skipped');
    return null;
  }
  const args = ['silence', 'query', `--alertmanager.url=${vigil.url}`, '-o', 'json'];
  if (expired) args.push('--expired');
  return JSON.parse(execFileSync('amtool', args, { encoding: 'utf8' }));
}

async function api(path, init) {
  const r = await fetch(vigil.url + path, init);
  assert.ok(r.ok, `${path}: ${r.status}`);
  return r.json();
}

test('/alerting shows the posted alerts grouped by receiver and alertname, with filters', async () => {
  const page = await newPage(browser);
  await page.goto(vigil.url + '/alerting');
  await page.waitForSelector('.alert-group[data-alertname="E2EDiskFull"]');
  await page.waitForSelector('.alert-group[data-alertname="E2EHighLatency"]');
  assert.match(await page.locator('.receiver-section[data-receiver="pager"]').innerText(), /E2EDiskFull/);
  assert.match(await page.locator('.receiver-section[data-receiver="team-hook"]').innerText(), /E2EHighLatency/);
  assert.match(await page.locator('.alert-group[data-alertname="E2EDiskFull"]').innerText(), /Disk is full on host-1/);
  await screenshot(page, 'alerting-groups');
  // A matcher filter narrows the groups and lands in the URL.
  await page.fill('input[aria-label="Filter"]', 'severity="warning"');
  await page.press('input[aria-label="Filter"]', 'Enter');
  await page.waitForSelector('.alert-group[data-alertname="E2EDiskFull"]', { state: 'detached' });
  assert.match(decodeURIComponent(page.url()), /filter=severity="warning"/);
  assert.equal(await page.locator('.alert-group[data-alertname="E2EHighLatency"]').count(), 1);
  // A filter that cannot be read says so.
  await page.fill('input[aria-label="Filter"]', 'severity~"x"');
  await page.press('input[aria-label="Filter"]', 'Enter');
  await page.getByText(/cannot read a matcher/).waitFor();
  await screenshot(page, 'alerting-groups-bad-filter');
  assert.deepEqual(page.problems, []);
});

test('a silence is created from an alert with a preview, seen by amtool, then expired from the page', async () => {
  const page = await newPage(browser);
  await page.goto(vigil.url + '/alerting');
  const group = page.locator('.alert-group[data-alertname="E2EDiskFull"]');
  await group.waitFor();
  await group.getByRole('link', { name: 'Silence' }).click();
  await page.waitForSelector('.silence-form');
  // Pre-filled with the alert's labels as equality matchers, sorted by name.
  const names = await page.locator('input[aria-label$="name"]').evaluateAll((els) => els.map((e) => e.value));
  assert.deepEqual(names, ['alertname', 'instance', 'severity']);
  assert.equal(await page.inputValue('input[aria-label="Matcher 1 value"]'), 'E2EDiskFull');
  assert.equal(await page.inputValue('select[aria-label="Matcher 1 operator"]'), '=');
  // The preview lists the alert, and only it.
  await page.waitForSelector('.affected-list');
  assert.match(await page.locator('.affected-count').innerText(), /^1 alert of 2/);
  assert.match(await page.locator('.affected-list').innerText(), /E2EDiskFull/);
  // Widening to a regex catches both alerts: the preview follows the edit live.
  await page.selectOption('select[aria-label="Matcher 1 operator"]', '=~');
  await page.fill('input[aria-label="Matcher 1 value"]', 'E2E.*');
  await page.click('button[aria-label="Remove matcher 3"]');
  await page.click('button[aria-label="Remove matcher 2"]');
  await page.getByText(/^2 alerts of 2/).waitFor();
  // An unanchored partial regex matches nothing, as in Alertmanager.
  await page.fill('input[aria-label="Matcher 1 value"]', 'E2E');
  await page.getByText(/No current alert matches/).waitFor();
  await page.fill('input[aria-label="Matcher 1 value"]', 'E2EDisk.*');
  await page.getByText(/^1 alert of 2/).waitFor();
  await page.fill('#silence-by', 'e2e-tester');
  await page.fill('#silence-comment', 'silenced from the alert in the browser test');
  await page.fill('#silence-duration', '1h');
  await screenshot(page, 'alerting-silence-editor');
  await page.getByRole('button', { name: 'Create silence' }).click();
  await page.waitForURL(/\/alerting\/silences\?tab=active&id=/);
  const id = new URL(page.url()).searchParams.get('id');
  const card = page.locator(`.silence[data-silence-id="${id}"]`);
  await card.waitFor();
  assert.match(await card.innerText(), /alertname=~"E2EDisk\.\*"/);
  assert.match(await card.innerText(), /e2e-tester/);
  await card.getByText('1 alert silenced').waitFor();
  await screenshot(page, 'alerting-silences-active');

  const listed = amtoolSilences(false);
  if (listed) {
    const mine = listed.find((s) => s.id === id);
    assert.ok(mine, `amtool does not list silence ${id}: ${JSON.stringify(listed)}`);
    assert.equal(mine.createdBy, 'e2e-tester');
    assert.equal(mine.status.state, 'active');
  }
  // The silenced alert leaves the default groups view.
  const groups = await api('/api/v2/alerts/groups?silenced=false');
  assert.ok(!groups.some((g) => g.alerts.some((a) => a.labels.alertname === 'E2EDiskFull')));

  // With "Show silenced", the groups page shows the alert as suppressed, linking the silence.
  const groupsPage = await newPage(browser);
  await groupsPage.goto(vigil.url + '/alerting?silenced=true');
  const suppressed = groupsPage.locator('.alert-group[data-alertname="E2EDiskFull"] .alert-item');
  await suppressed.locator('.badge.suppressed').waitFor();
  assert.match(await suppressed.innerText(), new RegExp(`Silenced by ${id}`));
  await screenshot(groupsPage, 'alerting-groups-silenced');
  assert.deepEqual(groupsPage.problems, []);

  // Expire it from the page.
  await card.getByRole('button', { name: 'Expire' }).click();
  await card.waitFor({ state: 'detached' });
  await page.getByRole('tab', { name: /Expired/ }).click();
  await page.locator(`.silence[data-silence-id="${id}"]`).waitFor();
  await screenshot(page, 'alerting-silences-expired');
  const after = await api(`/api/v2/silence/${id}`);
  assert.equal(after.status.state, 'expired');
  if (listed) {
    const expired = amtoolSilences(true);
    assert.ok(expired.some((s) => s.id === id && s.status.state === 'expired'), `amtool --expired: ${JSON.stringify(expired)}`);
    assert.ok(!amtoolSilences(false).some((s) => s.id === id));
  }
  assert.deepEqual(page.problems, []);
});

test('a silence can be edited, and the editor shows errors from bad input and from the API', async () => {
  const created = await api('/api/v2/silences', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      matchers: [{ name: 'instance', value: 'api-1', isRegex: false, isEqual: true }],
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      createdBy: 'api',
      comment: 'to edit',
    }),
  });
  const page = await newPage(browser);
  await page.goto(`${vigil.url}/alerting/silences?tab=active`);
  const card = page.locator(`.silence[data-silence-id="${created.silenceID}"]`);
  await card.getByRole('link', { name: 'Edit' }).click();
  await page.waitForSelector('.silence-form');
  assert.equal(await page.inputValue('input[aria-label="Matcher 1 value"]'), 'api-1');
  assert.match(await page.locator('.affected-count').innerText(), /1 alert/);
  // A matcher that matches everything is refused before saving.
  await page.selectOption('select[aria-label="Matcher 1 operator"]', '=~');
  await page.fill('input[aria-label="Matcher 1 value"]', '.*');
  await page.getByText(/would match every alert/).waitFor();
  await page.fill('input[aria-label="Matcher 1 value"]', 'api-.*');
  await page.fill('#silence-comment', 'edited in the browser');
  await page.getByRole('button', { name: 'Update silence' }).click();
  await page.waitForURL(/\/alerting\/silences\?/);
  const newId = new URL(page.url()).searchParams.get('id');
  const edited = await api(`/api/v2/silence/${newId}`);
  assert.equal(edited.comment, 'edited in the browser');
  assert.equal(edited.matchers[0].value, 'api-.*');
  // An unknown silence to edit shows the API's error.
  await page.goto(`${vigil.url}/alerting/silences/new?edit=does-not-exist`);
  await page.locator('.error').waitFor();
  assert.match(await page.locator('.error').innerText(), /not found/);
  await screenshot(page, 'alerting-silence-edit-missing');
  // Clean up so later tests see the alert.
  await fetch(`${vigil.url}/api/v2/silence/${newId}`, { method: 'DELETE' });
  assert.ok(page.problems.every((p) => /404/.test(p)), page.problems.join('\n'));
});

test('a group is acknowledged from the page, listed by the acks API with its comment, then unacknowledged', async () => {
  const page = await newPage(browser);
  await page.evaluate(() => 0);
  await page.goto(vigil.url + '/alerting');
  const group = page.locator('.alert-group[data-alertname="E2EHighLatency"]');
  await group.waitFor();
  await group.getByRole('button', { name: 'Acknowledge' }).click();
  await group.locator('#ack-by').fill('alice');
  await group.locator('#ack-comment').fill('looking into the latency');
  await group.locator('#ack-expiry').fill('2h');
  await screenshot(page, 'alerting-ack-form');
  await group.getByRole('button', { name: 'Save acknowledgement' }).click();
  await group.locator('.ack-box.acked').waitFor();
  assert.match(await group.locator('.ack-box').innerText(), /alice/);
  assert.match(await group.locator('.ack-box').innerText(), /looking into the latency/);
  assert.match(await group.locator('.ack-box').innerText(), /expires/);
  await screenshot(page, 'alerting-group-acked');
  const acks = await api('/api/vigil/v1/alertmanager/acks');
  const mine = acks.find((a) => a.comment === 'looking into the latency');
  assert.ok(mine, JSON.stringify(acks));
  assert.equal(mine.by, 'alice');
  assert.equal(mine.receiver, 'team-hook');
  assert.ok(mine.expiresAt);
  // The name is remembered for next time.
  assert.equal(await page.evaluate(() => localStorage.getItem('vigil.alerting.by')), 'alice');

  await group.getByRole('button', { name: 'Unacknowledge' }).click();
  await group.getByRole('button', { name: 'Acknowledge' }).waitFor();
  const left = await api('/api/vigil/v1/alertmanager/acks');
  assert.ok(!left.some((a) => a.comment === 'looking into the latency'), JSON.stringify(left));
  assert.deepEqual(page.problems, []);
});

test('the critical group shows its escalation ladder', async () => {
  const page = await newPage(browser);
  await page.goto(vigil.url + '/alerting?filter=' + encodeURIComponent('alertname="E2EDiskFull"'));
  const group = page.locator('.alert-group[data-alertname="E2EDiskFull"]');
  await group.waitFor();
  // The escalation starts once the group is first notified.
  for (let i = 0; i < 20 && !(await group.locator('.escalation').count()); i++) {
    await page.waitForTimeout(500);
    await page.getByRole('button', { name: 'Refresh' }).click();
  }
  assert.match(await group.locator('.escalation').innerText(), /ladder[\s\S]*lead/);
  await screenshot(page, 'alerting-escalation');
  assert.deepEqual(page.problems, []);
});

test('/alerting/status shows status, receivers, the routing tree, time intervals and a template preview', async () => {
  const page = await newPage(browser);
  await page.goto(vigil.url + '/alerting/status');
  await page.waitForSelector('.route-tree');
  const tree = await page.locator('.route-tree').innerText();
  assert.match(tree, /team-hook/);
  assert.match(tree, /severity="critical"[\s\S]*pager/);
  assert.match(await page.locator('.receivers').innerText(), /lead/);
  assert.match(await page.locator('.time-intervals').innerText(), /weekend/);
  assert.match(await page.locator('.time-intervals').innerText(), /times: 00:00–24:00/);
  // The recurring silence, read from the silence Vigil materialized for today's window.
  assert.match(await page.locator('.recurring').innerText(), /daily-maintenance[\s\S]*env="maintenance"[\s\S]*active/);
  await page.selectOption('#pv-receiver', 'team-hook');
  await page.getByRole('button', { name: 'Preview' }).click();
  await page.waitForSelector('.preview-integration');
  assert.match(await page.locator('.preview-result').innerText(), /webhook/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await screenshot(page, 'alerting-status');
  assert.deepEqual(page.problems, []);
});

test('empty lists say so', async () => {
  const page = await newPage(browser);
  await page.goto(vigil.url + '/alerting?filter=' + encodeURIComponent('alertname="NoSuchAlert"'));
  await page.getByText('No alerts match.').waitFor();
  await page.goto(vigil.url + '/alerting/silences?tab=pending');
  await page.getByText('No pending silences.').waitFor();
  await screenshot(page, 'alerting-silences-empty');
  assert.deepEqual(page.problems, []);
});

test('the silence editor shows the API refusal and keeps the form', async () => {
  const page = await newPage(browser);
  await page.route('**/api/v2/silences', (route) =>
    route.request().method() === 'POST'
      ? route.fulfill({ status: 400, contentType: 'application/json', body: JSON.stringify('silence invalid: comment is too long for this test') })
      : route.continue(),
  );
  await page.goto(vigil.url + '/alerting/silences/new?filter=' + encodeURIComponent('{alertname="E2EHighLatency"}'));
  await page.waitForSelector('.affected-list');
  await page.fill('#silence-by', 'e2e-tester');
  await page.fill('#silence-comment', 'refused');
  await page.getByRole('button', { name: 'Create silence' }).click();
  await page.locator('.save-error').waitFor();
  assert.match(await page.locator('.save-error').innerText(), /comment is too long for this test \(HTTP 400\)/);
  assert.equal(await page.inputValue('input[aria-label="Matcher 1 value"]'), 'E2EHighLatency');
  assert.match(page.url(), /silences\/new/);
  await screenshot(page, 'alerting-silence-save-error');
  assert.ok(page.problems.every((p) => /400/.test(p)), page.problems.join('\n'));
});
