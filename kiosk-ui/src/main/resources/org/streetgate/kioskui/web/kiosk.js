// The kiosk screen: plain JS, no build step. One page, several screens; body[data-screen] says which.
'use strict';

const TEXT = {
  zh: {
    brand: '城市自助服务柜', welcome: '您好，请选择服务', pickup: '输入取件码取件', courier: '快递员投递',
    scanHint: '也可以把取件二维码或打印二维码对准下方扫描口', maintenance: '维护', clear: '清除', back: '退格',
    cancel: '返回', confirm: '确定', finish: '完成', logout: '退出', doorLabel: '柜门',
    offline: '网络已断开：仍可输入取件码取件',
    paperOut: '打印机缺纸，暂时无法打印凭条和文件', coverOpen: '打印机盖未关好，暂时无法打印',
    printerOffline: '打印机故障，暂时无法打印', paperLow: '打印纸即将用完',
    enterDoor: '请输入取件凭条上的柜门号', doorMissing: '请输入柜门号',
    enterCode: '请输入取件码', enterCourierPin: '快递员请输入密码', enterTechPin: '请输入维护密码',
    wrongCode: '柜门号或取件码不正确，请核对后重试', wrongPin: '密码不正确', lockedOut: '尝试次数过多，请 {s} 秒后再试',
    suspended: '尝试次数过多，取件已暂停。请联系客服，或 {h} 小时后再试',
    tooShort: '请输入 {min} 到 {max} 位数字', doorFailed: '柜门未能打开，请联系客服', internal: '系统繁忙，请稍后再试',
    pickupOpen: '柜门已打开', pickupInstr: '请取出包裹，然后关好柜门', pickupDone: '取件完成',
    pickupDoneMsg: '谢谢使用，祝您生活愉快', chooseSize: '请选择柜门大小', free: '空闲 {n} 个',
    size_S: '小格', size_M: '中格', size_L: '大格', noFreeDoor: '该尺寸没有空闲柜门',
    depositOpen: '柜门已打开', depositInstr: '请放入包裹，然后关好柜门', depositDone: '投递完成',
    depositPrinted: '取件凭条已打印，请取走凭条', depositNotPrinted: '凭条未能打印，平台将通知收件人',
    printerUnavailable: '打印机暂时无法使用', printed: '文件已打印，请取走', printDone: '打印完成',
    printFailed: '文件未能打印：{e}', scanInvalid: '二维码无效或已过期', notLoggedIn: '登录已超时，请重新输入密码',
    testOpen: '打开此柜门', testPrint: '打印测试页', readSensors: '读取传感器',
    version: '版本', platform: '平台连接', online: '在线', offlineShort: '离线', buffer: '待上传记录', lastSync: '上次同步',
    devices: '设备', parcelsWaiting: '待取包裹', printer: '打印机', ready: '正常',
  },
  en: {
    brand: 'City self-service kiosk', welcome: 'Hello, please choose a service', pickup: 'Pick up with a code',
    courier: 'Courier drop-off', scanHint: 'Or hold a pickup QR or print QR under the scanner below',
    maintenance: 'Maintenance', clear: 'Clear', back: 'Delete', cancel: 'Back', confirm: 'OK', finish: 'Done',
    logout: 'Log out', doorLabel: 'Door', offline: 'Network offline: pickup with a code still works',
    paperOut: 'The printer is out of paper: receipts and documents cannot be printed',
    coverOpen: 'The printer cover is open: printing is not possible', printerOffline: 'The printer is not working',
    paperLow: 'The printer paper is running low', enterDoor: 'Enter the door number on your receipt',
    doorMissing: 'Enter a door number', enterCode: 'Enter your pickup code',
    enterCourierPin: 'Courier: enter your PIN', enterTechPin: 'Enter the maintenance PIN',
    wrongCode: 'Wrong door number or pickup code. Please check them and try again', wrongPin: 'Wrong PIN',
    lockedOut: 'Too many attempts. Try again in {s} s',
    suspended: 'Too many attempts: entry is paused. Call the service line or try again in {h} h', tooShort: 'Enter {min} to {max} digits',
    doorFailed: 'The door did not open. Please call the service line', internal: 'Something went wrong. Please try later',
    pickupOpen: 'The door is open', pickupInstr: 'Take your parcel, then close the door', pickupDone: 'Pickup complete',
    pickupDoneMsg: 'Thank you', chooseSize: 'Choose a door size', free: '{n} free', size_S: 'Small',
    size_M: 'Medium', size_L: 'Large', noFreeDoor: 'No free door of this size', depositOpen: 'The door is open',
    depositInstr: 'Put the parcel in, then close the door', depositDone: 'Drop-off complete',
    depositPrinted: 'The pickup receipt has been printed: please take it',
    depositNotPrinted: 'The receipt could not be printed; the platform will notify the recipient',
    printerUnavailable: 'The printer cannot print now', printed: 'Your document has been printed', printDone: 'Printed',
    printFailed: 'The document was not printed: {e}', scanInvalid: 'This QR code is not valid or has expired',
    notLoggedIn: 'Your session timed out. Enter the PIN again', testOpen: 'Open this door', testPrint: 'Print test page',
    readSensors: 'Read sensors', version: 'Version', platform: 'Platform', online: 'online', offlineShort: 'offline',
    buffer: 'Records waiting', lastSync: 'Last sync', devices: 'Devices', parcelsWaiting: 'Parcels waiting',
    printer: 'Printer', ready: 'ready',
  },
};

const state = {
  lang: 'zh', screen: 'home', mode: 'pickup', input: '', session: null, door: null, status: null, pickupDoor: null,
  lockedUntil: 0, lastActivity: Date.now(), techDoor: 1, doneTimer: null, lockTimer: null,
};

function t(key, vars) {
  let s = (TEXT[state.lang] && TEXT[state.lang][key]) || TEXT.zh[key] || key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.replace('{' + k + '}', v);
  }
  return s;
}

const $ = (id) => document.getElementById(id);

function show(screen) {
  state.screen = screen;
  document.body.dataset.screen = screen;
  for (const el of document.querySelectorAll('.screen')) el.hidden = el.id !== 'screen-' + screen;
}

function applyLanguage() {
  document.documentElement.lang = state.lang === 'zh' ? 'zh-CN' : 'en';
  document.body.dataset.lang = state.lang;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  $('btn-lang').textContent = state.lang === 'zh' ? 'English' : '中文';
  document.title = t('brand');
  renderBanners();
  renderEntry();
  if (state.refresh) state.refresh();
}

// ---- talking to the gateway ----

async function api(method, path, body) {
  const headers = { 'Content-Type': 'application/json' };
  if (state.session) headers['X-Kiosk-Session'] = state.session;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = {};
  try { data = await res.json(); } catch (e) { /* empty body */ }
  if (!res.ok) {
    const err = new Error(data.error || 'internal');
    err.reason = data.error || 'internal';
    err.retryAfter = data.retry_after_s || 0;
    throw err;
  }
  return data;
}

// Past a quarter of an hour it is the day's budget used up (docs/security.md): hours, and who to call.
function lockText(seconds) {
  return seconds > 900 ? t('suspended', { h: Math.ceil(seconds / 3600) }) : t('lockedOut', { s: seconds });
}

function messageFor(err) {
  switch (err.reason) {
    case 'wrong-code': return state.mode === 'pickup' || state.mode === 'door' ? t('wrongCode') : t('wrongPin');
    case 'locked-out': return lockText(Math.max(1, Math.ceil((state.lockedUntil - Date.now()) / 1000)));
    case 'door-failed': return t('doorFailed');
    case 'no-free-door': return t('noFreeDoor');
    case 'printer-unavailable': return t('printerUnavailable');
    case 'not-logged-in': return t('notLoggedIn');
    default: return t('internal');
  }
}

// ---- status banners ----

function renderBanners() {
  const s = state.status;
  $('banner-offline').hidden = !s || s.platform_online;
  const printer = $('banner-printer');
  if (s && s.printer_problem) {
    printer.hidden = false;
    printer.dataset.problem = s.printer_problem;
    printer.textContent = s.printer_problem === 'paper-out' ? t('paperOut')
      : s.printer_problem === 'cover-open' ? t('coverOpen') : t('printerOffline');
  } else if (s && s.paper_low) {
    printer.hidden = false;
    printer.dataset.problem = 'paper-low';
    printer.textContent = t('paperLow');
  } else {
    printer.hidden = true;
    printer.dataset.problem = '';
  }
}

function setStatus(s) {
  if (!state.status && s.languages && s.languages.length && s.languages[0] !== state.lang) {
    state.lang = s.languages[0]; // the profile's first language is the default
    state.status = s;
    applyLanguage();
  }
  state.status = s;
  $('btn-lang').hidden = Array.isArray(s.languages) && s.languages.length < 2;
  renderBanners();
}

async function pollStatus() {
  try { setStatus(await api('GET', '/api/status')); } catch (e) { /* the next poll or live event will tell */ }
}

// ---- the keypad entry screen (door number then pickup code, courier PIN, technician PIN) ----
// A pickup code is checked only against the parcel in the door the person names, so a guess at the
// screen can hit one parcel, not any of the waiting ones (docs/security.md).

function startEntry(mode) {
  state.mode = mode;
  state.input = '';
  $('entry-error').textContent = '';
  $('entry-error').dataset.reason = '';
  show('entry');
  renderEntry();
}

function maxLength() {
  if (state.mode === 'door') return 3;
  return state.mode === 'pickup' && state.status ? state.status.code_max_length : 12;
}

function renderEntry() {
  const title = { door: 'enterDoor', pickup: 'enterCode', courier: 'enterCourierPin', tech: 'enterTechPin' }[state.mode];
  $('entry-title').textContent = t(title);
  // Door numbers and codes are shown so people can check them; PINs are masked.
  const clear = state.mode === 'pickup' || state.mode === 'door';
  $('entry-display').textContent = clear ? state.input : '●'.repeat(state.input.length);
  const locked = Date.now() < state.lockedUntil;
  $('btn-submit').disabled = locked;
  if (locked) $('entry-error').textContent = lockText(Math.ceil((state.lockedUntil - Date.now()) / 1000));
}

function press(key) {
  if (key === 'clear') state.input = '';
  else if (key === 'back') state.input = state.input.slice(0, -1);
  else if (state.input.length < maxLength()) state.input += key;
  renderEntry();
}

function lockOut(seconds) {
  state.lockedUntil = Date.now() + seconds * 1000;
  $('entry-error').dataset.reason = 'locked-out';
  clearInterval(state.lockTimer);
  state.lockTimer = setInterval(() => {
    if (Date.now() >= state.lockedUntil) {
      clearInterval(state.lockTimer);
      $('entry-error').textContent = '';
      $('entry-error').dataset.reason = '';
    }
    renderEntry();
  }, 1000);
  renderEntry();
}

async function submitEntry() {
  const value = state.input;
  const err = $('entry-error');
  if (state.mode === 'door') {
    if (!/^[1-9][0-9]{0,2}$/.test(value)) {
      err.textContent = t('doorMissing');
      err.dataset.reason = 'door-missing';
      return;
    }
    state.pickupDoor = Number(value);
    startEntry('pickup');
    return;
  }
  if (state.mode === 'pickup' && state.status &&
      (value.length < state.status.code_min_length || value.length > state.status.code_max_length)) {
    err.textContent = t('tooShort', { min: state.status.code_min_length, max: state.status.code_max_length });
    err.dataset.reason = 'too-short';
    return;
  }
  $('btn-submit').disabled = true;
  try {
    if (state.mode === 'pickup') {
      const r = await api('POST', '/api/pickup', { door: state.pickupDoor, code: value });
      state.input = '';
      doorOpen('pickup', r.door);
    } else if (state.mode === 'courier') {
      const r = await api('POST', '/api/courier/login', { pin: value });
      state.input = '';
      state.session = r.token;
      await showSizes();
    } else {
      const r = await api('POST', '/api/tech/login', { pin: value });
      state.input = '';
      state.session = r.token;
      await showTech();
    }
  } catch (e) {
    state.input = '';
    if (e.reason === 'locked-out') state.lockedUntil = Date.now() + e.retryAfter * 1000;
    err.textContent = messageFor(e);
    // The door number may be what was wrong: ask for both again.
    if (state.mode === 'pickup' && e.reason === 'wrong-code') state.mode = 'door';
    err.dataset.reason = e.reason;
    if (e.reason === 'locked-out') lockOut(e.retryAfter);
  } finally {
    renderEntry();
  }
}

// ---- doors ----

function doorOpen(kind, door) {
  state.door = door;
  state.doorKind = kind;
  $('door-number').textContent = door;
  const refresh = () => {
    $('door-title').textContent = t(kind === 'pickup' ? 'pickupOpen' : 'depositOpen');
    $('door-instruction').textContent = t(kind === 'pickup' ? 'pickupInstr' : 'depositInstr');
  };
  state.refresh = refresh;
  refresh();
  show('door');
}

function done(titleKey, messageKey, vars) {
  const refresh = () => {
    $('done-title').textContent = t(titleKey);
    $('done-message').textContent = t(messageKey, vars);
  };
  state.refresh = refresh;
  refresh();
  show('done');
  clearTimeout(state.doneTimer);
  state.doneTimer = setTimeout(goHome, 15000);
}

async function showSizes() {
  const r = await api('GET', '/api/courier/doors');
  const box = $('sizes');
  box.innerHTML = '';
  $('sizes-error').textContent = '';
  const render = () => {
    for (const b of box.querySelectorAll('button')) {
      b.textContent = t('size_' + b.dataset.size) + ' — ' + t('free', { n: b.dataset.free });
    }
  };
  for (const s of r.sizes) {
    const b = document.createElement('button');
    b.type = 'button';
    b.id = 'size-' + s.size;
    b.dataset.size = s.size;
    b.dataset.free = s.free;
    b.disabled = s.free === 0;
    b.addEventListener('click', () => deposit(s.size));
    box.appendChild(b);
  }
  state.refresh = render;
  render();
  show('sizes');
}

async function deposit(size) {
  try {
    const r = await api('POST', '/api/courier/deposit', { size });
    doorOpen('deposit', r.door);
  } catch (e) {
    $('sizes-error').textContent = messageFor(e);
    $('sizes-error').dataset.reason = e.reason;
    if (e.reason === 'not-logged-in') goHome();
  }
}

// ---- maintenance ----

async function showTech() {
  show('tech');
  const info = await api('GET', '/api/tech/status');
  state.techInfo = info;
  state.refresh = renderTech;
  renderTech();
}

function renderTech() {
  const info = state.techInfo || {};
  const rows = [
    [t('version'), info.version],
    [t('platform'), info.platform_online ? t('online') : t('offlineShort')],
    [t('buffer'), info.buffer_rows],
    [t('lastSync'), info.last_sync ? new Date(info.last_sync).toLocaleString() : '—'],
    [t('parcelsWaiting'), info.parcels_waiting],
    [t('printer'), info.printer ? (info.printer.ready ? t('ready') : info.printer.problem) : undefined],
  ];
  const devices = info.devices || {};
  for (const [id, d] of Object.entries(devices)) rows.push([t('devices') + ' ' + id, typeof d === 'object' ? (d.status || d.state || JSON.stringify(d)) : d]);
  const table = $('tech-info');
  table.innerHTML = '';
  for (const [k, v] of rows) {
    const tr = document.createElement('tr');
    const a = document.createElement('td');
    const b = document.createElement('td');
    a.textContent = k;
    b.textContent = v === undefined || v === null ? '—' : String(v);
    tr.append(a, b);
    table.appendChild(tr);
  }
  $('tech-door').textContent = state.techDoor;
}

async function techAction(action, args) {
  try {
    const r = await api('POST', '/api/tech/action', Object.assign({ action }, args || {}));
    $('tech-output').textContent = JSON.stringify(r, null, 2);
  } catch (e) {
    $('tech-output').textContent = messageFor(e);
    if (e.reason === 'not-logged-in') goHome();
  }
}

// ---- live updates ----

function onLive(type, data) {
  switch (type) {
    case 'status': setStatus(data); break;
    case 'door-closed':
      if (state.screen === 'door' && state.door === data.door && state.doorKind === 'pickup') {
        done('pickupDone', 'pickupDoneMsg');
      }
      break;
    case 'deposit-done':
      if (state.screen === 'door' && state.door === data.door && state.doorKind === 'deposit') {
        done('depositDone', data.printed ? 'depositPrinted' : 'depositNotPrinted');
      }
      break;
    case 'pickup':
      if (state.screen === 'home' || state.screen === 'entry' || state.screen === 'done') {
        touch();
        doorOpen('pickup', data.door);
      }
      break;
    case 'print':
      touch();
      if (data.printed) done('printDone', 'printed');
      else done('printerUnavailable', 'printFailed', { e: data.error || '' });
      break;
    case 'scan-error':
      if (state.screen === 'home') {
        $('home-message').textContent = data.error === 'locked-out'
          ? lockText(data.retry_after_s || 60) : t('scanInvalid');
        $('home-message').dataset.reason = data.error;
      }
      break;
    default: break;
  }
}

function connectLive() {
  const es = new EventSource('/api/events');
  for (const type of ['status', 'door-closed', 'deposit-done', 'pickup', 'print', 'scan-error']) {
    es.addEventListener(type, (ev) => onLive(type, JSON.parse(ev.data)));
  }
  // EventSource reconnects by itself (retry: 2000 from the server).
}

// ---- idle timeout: back to home, clear what was typed, end any session ----

function touch() {
  state.lastActivity = Date.now();
}

function goHome() {
  clearTimeout(state.doneTimer);
  if (state.session) {
    api('POST', '/api/session/end').catch(() => {});
  }
  state.session = null;
  state.input = '';
  state.door = null;
  state.refresh = null;
  state.techInfo = null;
  $('entry-display').textContent = '';
  $('entry-error').textContent = '';
  $('home-message').textContent = '';
  $('tech-output').textContent = '';
  show('home');
}

function idleCheck() {
  const s = state.status;
  const limit = (s && s.idle_timeout_seconds ? s.idle_timeout_seconds : 60) * 1000;
  // A door screen waits for the door to be shut (that ends the step), but not forever.
  const wait = state.screen === 'door' ? limit * 4 : limit;
  if (state.screen !== 'home' && Date.now() - state.lastActivity > wait) {
    goHome();
  }
}

function init() {
  for (const b of document.querySelectorAll('.keypad button')) {
    b.addEventListener('click', () => press(b.dataset.key || b.id.replace('key-', '')));
  }
  $('btn-submit').addEventListener('click', submitEntry);
  $('btn-pickup').addEventListener('click', () => startEntry('door'));
  $('btn-courier').addEventListener('click', () => startEntry('courier'));
  $('btn-tech').addEventListener('click', () => startEntry('tech'));
  for (const b of document.querySelectorAll('.home-btn')) b.addEventListener('click', goHome);
  $('btn-lang').addEventListener('click', () => {
    state.lang = state.lang === 'zh' ? 'en' : 'zh';
    applyLanguage();
  });
  $('tech-door-minus').addEventListener('click', () => { state.techDoor = Math.max(1, state.techDoor - 1); renderTech(); });
  $('tech-door-plus').addEventListener('click', () => { state.techDoor += 1; renderTech(); });
  $('btn-tech-open').addEventListener('click', () => techAction('open-door', { door: state.techDoor }));
  $('btn-tech-print').addEventListener('click', () => techAction('print-test'));
  $('btn-tech-sensors').addEventListener('click', () => techAction('read-sensors'));
  for (const ev of ['pointerdown', 'keydown', 'touchstart']) document.addEventListener(ev, touch, true);
  document.addEventListener('keydown', (e) => {
    if (state.screen !== 'entry') return;
    if (/^[0-9]$/.test(e.key)) press(e.key);
    else if (e.key === 'Backspace') press('back');
    else if (e.key === 'Enter') submitEntry();
  });
  applyLanguage();
  pollStatus();
  setInterval(pollStatus, 5000);
  setInterval(idleCheck, 500);
  connectLive();
}

document.addEventListener('DOMContentLoaded', init);
