/* global document, navigator, window, localStorage, fetch, WebSocket, crypto, setTimeout, clearTimeout */
// The Firstline live-chat widget: plain browser JavaScript, no framework, nothing required of the
// host page. Served at /chat/widget.js and embedded with one tag:
//   <script src="https://support.example/chat/widget.js" data-locale="ru" async></script>
// It adds a launcher button and a chat window (in a shadow root, so the site's styles and the
// widget's leave each other alone). The visitor token is kept in localStorage: the conversation
// survives reloads and navigation. Messages travel over a WebSocket; where one cannot open, the
// widget long-polls and posts instead. A message keeps the id the widget gave it until the server
// says "delivered", and is sent again under that id after a lost connection.
(function () {
  'use strict';

  var script = document.currentScript;
  if (!script) return;
  var base = script.src.replace(/\/chat\/widget\.js(\?.*)?$/, '');
  var wanted = (script.getAttribute('data-locale') || navigator.language || 'en').slice(0, 2);
  var locale = wanted === 'ru' ? 'ru' : 'en';
  var MAX_LENGTH = 4000;

  var TEXT = {
    en: {
      open: 'Chat with us',
      unread: 'Chat with us ({n} new)',
      title: 'Support chat',
      close: 'Close the chat',
      messages: 'Messages',
      message: 'Your message',
      send: 'Send',
      hello: 'Hello! Write your question and an agent will answer here.',
      you: 'You',
      sending: 'Sending…',
      delivered: 'Delivered',
      notSent: 'Not sent: {reason}',
      connecting: 'Connecting…',
      offline: 'No connection. Your messages will be sent when it is back.',
      startFailed: 'The chat could not start. Please try again in a moment.',
      rate: 'Rate this chat',
      star: '{n} of 5',
      comment: 'Comment (optional)',
      sendRating: 'Send rating',
      rated: 'Thank you! Your rating of {n} of 5 is recorded.',
      transcript: 'Email me the transcript',
      email: 'Your email',
      sendTranscript: 'Send the transcript',
      transcriptSent: 'The transcript is on its way to {email}.',
      transcriptSentBefore: 'The transcript of this chat has been sent.',
      tryAgain: 'That did not work. Please try again.',
    },
    ru: {
      open: 'Чат с поддержкой',
      unread: 'Чат с поддержкой (новых: {n})',
      title: 'Чат с поддержкой',
      close: 'Закрыть чат',
      messages: 'Сообщения',
      message: 'Ваше сообщение',
      send: 'Отправить',
      hello: 'Здравствуйте! Напишите вопрос — оператор ответит здесь.',
      you: 'Вы',
      sending: 'Отправляется…',
      delivered: 'Доставлено',
      notSent: 'Не отправлено: {reason}',
      connecting: 'Подключаемся…',
      offline: 'Нет связи. Сообщения уйдут, когда она появится.',
      startFailed: 'Чат не запустился. Попробуйте ещё раз через минуту.',
      rate: 'Оцените этот чат',
      star: '{n} из 5',
      comment: 'Комментарий (по желанию)',
      sendRating: 'Отправить оценку',
      rated: 'Спасибо! Ваша оценка {n} из 5 записана.',
      transcript: 'Прислать переписку на почту',
      email: 'Ваш email',
      sendTranscript: 'Отправить переписку',
      transcriptSent: 'Переписка отправлена на {email}.',
      transcriptSentBefore: 'Переписка этого чата уже отправлена.',
      tryAgain: 'Не получилось. Попробуйте ещё раз.',
    },
  }[locale];

  function say(key, values) {
    return TEXT[key].replace(/\{(\w+)\}/g, function (_, name) {
      return String(values[name]);
    });
  }

  // ---- what survives a reload ---------------------------------------------------------------
  var TOKEN_KEY = 'firstline-chat-token:' + base;
  var PENDING_KEY = 'firstline-chat-pending:' + base;

  function load(key) {
    try {
      return localStorage.getItem(key);
    } catch {
      return null; // storage blocked: the chat lasts as long as the page
    }
  }
  function save(key, value) {
    try {
      if (value === null) localStorage.removeItem(key);
      else localStorage.setItem(key, value);
    } catch {
      /* storage blocked */
    }
  }

  var token = load(TOKEN_KEY);
  /** Messages written and not yet delivered, oldest first: { id, text }. */
  var pending = JSON.parse(load(PENDING_KEY) || '[]');
  var lastSeq = 0;
  var unread = 0;
  /** Replies stored after this are news worth a count on the launcher; older ones are history. */
  var loadedAt = Date.now();
  /** Messages posted over HTTP and not answered yet: not posted twice meanwhile. */
  var posting = {};

  // ---- the window ---------------------------------------------------------------------------
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.append(child);
    });
    return node;
  }

  var host = el('div', { 'data-firstline-chat': '' });
  var root = host.attachShadow({ mode: 'open' });
  var style = el('style');
  style.textContent =
    ':host{all:initial}' +
    '*{box-sizing:border-box;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
    '.launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;padding:12px 18px;border:0;' +
    'border-radius:24px;background:#1f5fbf;color:#fff;cursor:pointer;box-shadow:0 2px 8px #0004}' +
    '.launcher:focus-visible,button:focus-visible,textarea:focus-visible{outline:3px solid #f5a623;outline-offset:2px}' +
    '.panel{position:fixed;right:20px;bottom:80px;z-index:2147483000;width:360px;height:520px;' +
    'max-height:calc(100vh - 100px);display:flex;flex-direction:column;background:#fff;color:#1a1a1a;' +
    'border-radius:12px;box-shadow:0 4px 24px #0005;overflow:hidden}' +
    '.panel[hidden]{display:none}' +
    'header{display:flex;align-items:center;justify-content:space-between;padding:10px 14px;background:#1f5fbf;color:#fff}' +
    'h2{margin:0;font-weight:600;font-size:16px;color:inherit}' +
    '.close{border:0;background:none;color:#fff;font-size:22px;cursor:pointer;padding:2px 8px}' +
    '.state{margin:0;padding:4px 14px;font-size:13px;background:#fff6d6}.state:empty{display:none}' +
    'ol{flex:1;margin:0;padding:12px;list-style:none;overflow-y:auto;background:#f4f6f9}' +
    'li{max-width:85%;margin:0 0 10px;padding:8px 11px;border-radius:10px;white-space:pre-wrap;overflow-wrap:anywhere}' +
    'li.agent,li.hello{background:#fff;border:1px solid #dde3ea}' +
    'li.visitor{margin-left:auto;background:#dbe8ff}' +
    '.who{display:block;font-size:12px;font-weight:600;color:#3b4a5c}' +
    '.mark{display:block;font-size:12px;color:#4d5b6b;text-align:right}.failed .mark{color:#b00020}' +
    'form{display:flex;gap:8px;padding:10px;border-top:1px solid #dde3ea}' +
    'label{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)}' +
    'textarea{flex:1;resize:none;height:44px;padding:8px;border:1px solid #9aa7b6;border-radius:8px}' +
    'form button{border:0;border-radius:8px;padding:0 14px;background:#1f5fbf;color:#fff;cursor:pointer}' +
    'li.notice{max-width:none;margin:0 auto 10px;padding:2px 8px;background:none;border:0;' +
    'text-align:center;font-size:13px;color:#3b4a5c}li.notice .who{display:none}' +
    '.survey{display:block;margin-top:8px}.survey form{display:block;border:0;padding:6px 0 0}' +
    '.survey fieldset{border:0;margin:0;padding:0}.survey legend{font-weight:600;padding:0}' +
    '.survey label{position:static;width:auto;height:auto;overflow:visible;clip:auto;margin-right:6px}' +
    '.survey textarea,.survey input[type=email]{display:block;width:100%;height:auto;margin:4px 0;padding:6px;' +
    'border:1px solid #9aa7b6;border-radius:8px}' +
    '.survey button{border:0;border-radius:8px;padding:6px 12px;background:#1f5fbf;color:#fff;cursor:pointer}' +
    '@media (max-width:480px){.panel{inset:0;width:auto;height:auto;max-height:none;border-radius:0}}';

  var launcher = el('button', { type: 'button', class: 'launcher', 'aria-expanded': 'false' });
  launcher.textContent = TEXT.open;
  var title = el('h2', { id: 'flc-title' });
  title.textContent = TEXT.title;
  var closer = el('button', { type: 'button', class: 'close', 'aria-label': TEXT.close });
  closer.textContent = '×';
  var state = el('p', { class: 'state', role: 'status' });
  var log = el('ol', { role: 'log', 'aria-live': 'polite', 'aria-label': TEXT.messages });
  var hello = el('li', { class: 'hello' });
  hello.textContent = TEXT.hello;
  log.append(hello);
  var input = el('textarea', { id: 'flc-message', maxlength: String(MAX_LENGTH), rows: '2' });
  var label = el('label', { for: 'flc-message' });
  label.textContent = TEXT.message;
  var sendButton = el('button', { type: 'submit' });
  sendButton.textContent = TEXT.send;
  var form = el('form', {}, [label, input, sendButton]);
  var panel = el(
    'section',
    { class: 'panel', id: 'flc-panel', role: 'dialog', 'aria-labelledby': 'flc-title', hidden: '' },
    [el('header', {}, [title, closer]), state, log, form],
  );
  launcher.setAttribute('aria-controls', 'flc-panel');
  root.append(style, launcher, panel);

  function isOpen() {
    return !panel.hidden;
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute('aria-expanded', 'true');
    unread = 0;
    launcher.textContent = TEXT.open;
    input.focus();
    log.scrollTop = log.scrollHeight;
    start();
  }

  function close() {
    panel.hidden = true;
    launcher.setAttribute('aria-expanded', 'false');
    launcher.focus();
  }

  launcher.addEventListener('click', function () {
    if (isOpen()) close();
    else open();
  });
  closer.addEventListener('click', close);
  panel.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') close();
  });
  input.addEventListener('keydown', function (event) {
    // Enter sends, Shift+Enter starts a new line: what chat users expect.
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    var message = { id: newId(), text: text };
    pending.push(message);
    save(PENDING_KEY, JSON.stringify(pending));
    show({ from: 'visitor', id: message.id, text: text, delivered: false });
    start();
    transmit(message);
  });

  // ---- the conversation -----------------------------------------------------------------------
  var shown = {};

  /** Adds a message to the log, or updates the one already there (a resend, a delivery). */
  function show(entry) {
    var key = entry.from + ':' + entry.id;
    var item = shown[key];
    if (!item) {
      item = el('li', { class: entry.from });
      var who = el('span', { class: 'who' });
      who.textContent = entry.from === 'visitor' ? TEXT.you : entry.author;
      var body = el('span', { class: 'text' });
      body.textContent = entry.text;
      item.append(who, body);
      (entry.files || []).forEach(function (file) {
        var link = el('a', { href: file.url, target: '_blank', rel: 'noopener' });
        link.textContent = file.fileName;
        item.append(el('br'), link);
      });
      if (entry.from === 'visitor') item.append(el('span', { class: 'mark' }));
      // Firstline's own lines ("Ann has joined the chat.") read as notices, not as someone talking.
      if (entry.automatic && !entry.survey) item.classList.add('notice');
      if (entry.survey) item.append(surveyOf(entry));
      shown[key] = item;
      log.append(item);
      log.scrollTop = log.scrollHeight;
    }
    var mark = item.querySelector('.mark');
    if (mark && !item.classList.contains('failed')) {
      mark.textContent = entry.delivered ? TEXT.delivered : TEXT.sending;
    }
  }

  // ---- the end of a chat: stars and a comment, and the transcript by email -----------------------
  /** The forms under a survey message; a rating or transcript already given shows as done. */
  function surveyOf(entry) {
    var box = el('div', { class: 'survey' });
    var path = '/chat/surveys/' + entry.seq;
    var rating = el('div', { role: 'status' });
    if (entry.survey.score) {
      rating.textContent = say('rated', { n: entry.survey.score });
    } else {
      var stars = [1, 2, 3, 4, 5].map(function (n) {
        var id = 'flc-s' + entry.seq + '-' + n;
        var radio = el('input', { type: 'radio', name: 'score', value: String(n), id: id });
        radio.setAttribute('aria-label', say('star', { n: n }));
        var star = el('label', { for: id });
        star.textContent = n + ' ★';
        return el('span', {}, [radio, star]);
      });
      var legend = el('legend');
      legend.textContent = TEXT.rate;
      var commentId = 'flc-c' + entry.seq;
      var commentLabel = el('label', { for: commentId });
      commentLabel.textContent = TEXT.comment;
      var comment = el('textarea', { id: commentId, maxlength: '2000', rows: '2' });
      var send = el('button', { type: 'submit' });
      send.textContent = TEXT.sendRating;
      var rate = el('form', {}, [
        el('fieldset', {}, [legend].concat(stars)),
        commentLabel,
        comment,
        send,
      ]);
      rate.addEventListener('submit', function (event) {
        event.preventDefault();
        var chosen = rate.querySelector('input[name=score]:checked');
        if (!chosen) return;
        send.disabled = true;
        request('POST', path + '/rating', {
          score: Number(chosen.value),
          comment: comment.value,
          locale: locale,
        }).then(
          function (answer) {
            rate.remove();
            rating.textContent = say('rated', { n: answer.score });
          },
          function () {
            send.disabled = false;
            rating.textContent = TEXT.tryAgain;
          },
        );
      });
      box.append(rate);
    }
    box.append(rating);
    var mailed = el('div', { role: 'status' });
    if (entry.survey.transcriptSent) {
      mailed.textContent = TEXT.transcriptSentBefore;
    } else {
      var emailId = 'flc-e' + entry.seq;
      var emailLabel = el('label', { for: emailId });
      emailLabel.textContent = TEXT.transcript;
      var email = el('input', { type: 'email', id: emailId, autocomplete: 'email', required: '' });
      email.setAttribute('placeholder', TEXT.email);
      var mail = el('button', { type: 'submit' });
      mail.textContent = TEXT.sendTranscript;
      var ask = el('form', {}, [emailLabel, email, mail]);
      ask.addEventListener('submit', function (event) {
        event.preventDefault();
        mail.disabled = true;
        request('POST', path + '/transcript', { email: email.value, locale: locale }).then(
          function (answer) {
            ask.remove();
            mailed.textContent = say('transcriptSent', { email: answer.sentTo });
          },
          function () {
            mail.disabled = false;
            mailed.textContent = TEXT.tryAgain;
          },
        );
      });
      box.append(ask);
    }
    box.append(mailed);
    return box;
  }

  function fail(id, reason) {
    var item = shown['visitor:' + id];
    if (!item) return;
    item.classList.add('failed');
    item.querySelector('.mark').textContent = say('notSent', { reason: reason });
  }

  function receive(messages) {
    messages.forEach(function (entry) {
      if (entry.seq <= lastSeq) return;
      lastSeq = entry.seq;
      var isNew = !shown[entry.from + ':' + entry.id];
      show(entry);
      if (entry.from === 'agent' && isNew && Date.parse(entry.at) > loadedAt && !isOpen()) {
        unread += 1;
        launcher.textContent = say('unread', { n: unread });
      }
    });
  }

  function answered(answer) {
    if (answer.status === 'failed') return; // kept in pending: sent again on the next connection
    pending = pending.filter(function (message) {
      return message.id !== answer.clientMessageId;
    });
    save(PENDING_KEY, JSON.stringify(pending));
    if (answer.status === 'delivered') {
      show({ from: 'visitor', id: answer.clientMessageId, delivered: true });
    } else {
      fail(answer.clientMessageId, answer.reason);
    }
  }

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b + 256).toString(16).slice(1);
      })
      .join('');
  }

  // ---- the connection ---------------------------------------------------------------------------
  var socket = null;
  var connecting = false;
  var polling = false;
  /** Set once a WebSocket failed to open twice in a row: the network blocks them. */
  var useLongPoll = false;
  var failedOpens = 0;
  var retryMs = 1000;
  var retryTimer = null;

  function request(method, path, body) {
    var headers = { 'content-type': 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    return fetch(base + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      if (response.status === 401) forgetVisitor();
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    });
  }

  /** The server no longer knows the token (a new secret, a wiped database): start afresh. */
  function forgetVisitor() {
    token = null;
    save(TOKEN_KEY, null);
  }

  function start() {
    if (token) return connect();
    if (connecting) return;
    connecting = true;
    state.textContent = TEXT.connecting;
    request('POST', '/chat/session', { locale: locale }).then(
      function (session) {
        connecting = false;
        token = session.token;
        save(TOKEN_KEY, token);
        connect();
      },
      function () {
        connecting = false;
        state.textContent = TEXT.startFailed;
      },
    );
  }

  function connect() {
    if (socket || connecting || polling || !token) return;
    if (useLongPoll) return poll();
    connecting = true;
    var opened = false;
    var url =
      base.replace(/^http/, 'ws') +
      '/chat/ws?token=' +
      encodeURIComponent(token) +
      '&after=' +
      lastSeq +
      '&page=' +
      encodeURIComponent(window.location.href);
    var ws;
    try {
      ws = new WebSocket(url);
    } catch {
      connecting = false;
      useLongPoll = true;
      return poll();
    }
    ws.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === 'ready') {
        opened = true;
        connecting = false;
        socket = ws;
        failedOpens = 0;
        retryMs = 1000;
        state.textContent = '';
        pending.forEach(transmit);
      } else if (data.type === 'messages') {
        receive(data.messages);
      } else if (data.type === 'answer') {
        answered(data);
      }
    };
    ws.onclose = function (event) {
      connecting = false;
      socket = null;
      if (event.code === 4401) {
        forgetVisitor();
        return;
      }
      if (!opened && ++failedOpens >= 2) useLongPoll = true;
      if (pending.length > 0 || isOpen()) state.textContent = TEXT.offline;
      retryLater();
    };
  }

  function retryLater() {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, retryMs);
    retryMs = Math.min(retryMs * 2, 15000);
  }

  /** The fallback: one request waiting for what is new, again and again. */
  function poll() {
    if (polling || !token) return;
    polling = true;
    pending.forEach(transmit);
    request('GET', '/chat/messages?after=' + lastSeq).then(
      function (body) {
        polling = false;
        retryMs = 1000;
        state.textContent = '';
        receive(body.messages);
        poll();
      },
      function () {
        polling = false;
        state.textContent = TEXT.offline;
        retryLater();
      },
    );
  }

  function transmit(message) {
    var data = { clientMessageId: message.id, text: message.text, locale: locale };
    if (socket) {
      socket.send(JSON.stringify({ event: 'send', data: data }));
    } else if (useLongPoll && token && !posting[message.id]) {
      posting[message.id] = true;
      request('POST', '/chat/messages', data)
        .then(answered, function () {
          state.textContent = TEXT.offline;
        })
        .then(function () {
          delete posting[message.id];
        });
    }
    // Otherwise it waits in `pending` for the connection to open.
  }

  function mount() {
    document.body.append(host);
    pending.forEach(function (message) {
      show({ from: 'visitor', id: message.id, text: message.text, delivered: false });
    });
    // A returning visitor sees the conversation (and new replies) without opening the window.
    if (token) connect();
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
