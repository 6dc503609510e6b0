/* Telegram sandbox browser chat: act as a Telegram user talking to the bot. Vanilla JS, no external requests. */
(function () {
  "use strict";

  var BASE = (document.querySelector('meta[name="sandbox-base"]') || {}).content || "./";
  var API = BASE + "api";
  var POLL_MS = 700;

  // ---- strings (every user-visible string is localized) ------------------------------------------------------
  var I18N = {
    en: {
      title: "Telegram sandbox", personas: "Personas", newPersona: "New persona", name: "Name",
      language: "Language", phone: "Phone", role: "Role", noRole: "— no role —", create: "Create",
      send: "Send", placeholder: "Message", attach: "Attach a photo or file", location: "Send location",
      contact: "Share contact", latitude: "Latitude", longitude: "Longitude", sendLocation: "Send location",
      shareContact: "Share contact", edited: "edited", silent: "🔕 silent", choosePersona: "Choose or create a persona",
      noPersonas: "No personas yet", block: "Block bot", unblock: "Unblock", blockedNote: "You blocked the bot",
      commands: "Commands", close: "Close", empty: "No messages yet. Say /start to the bot.",
      locationLabel: "Location", contactLabel: "Contact", photoLabel: "Photo", fileLabel: "File",
      errorPrefix: "Error", nameRequired: "Enter a name", phoneRequired: "Enter a phone number",
      idLabel: "id"
    },
    ru: {
      title: "Песочница Telegram", personas: "Персоны", newPersona: "Новая персона", name: "Имя",
      language: "Язык", phone: "Телефон", role: "Роль", noRole: "— без роли —", create: "Создать",
      send: "Отправить", placeholder: "Сообщение", attach: "Прикрепить фото или файл",
      location: "Отправить геопозицию", contact: "Поделиться контактом", latitude: "Широта",
      longitude: "Долгота", sendLocation: "Отправить геопозицию", shareContact: "Поделиться контактом",
      edited: "изменено", silent: "🔕 без звука", choosePersona: "Выберите или создайте персону", noPersonas: "Персон пока нет",
      block: "Заблокировать бота", unblock: "Разблокировать", blockedNote: "Вы заблокировали бота",
      commands: "Команды", close: "Закрыть", empty: "Сообщений пока нет. Отправьте боту /start.",
      locationLabel: "Геопозиция", contactLabel: "Контакт", photoLabel: "Фото", fileLabel: "Файл",
      errorPrefix: "Ошибка", nameRequired: "Введите имя", phoneRequired: "Введите номер телефона",
      idLabel: "id"
    },
    uk: {
      title: "Пісочниця Telegram", personas: "Персони", newPersona: "Нова персона", name: "Ім'я",
      language: "Мова", phone: "Телефон", role: "Роль", noRole: "— без ролі —", create: "Створити",
      send: "Надіслати", placeholder: "Повідомлення", attach: "Додати фото або файл",
      location: "Надіслати геопозицію", contact: "Поділитися контактом", latitude: "Широта",
      longitude: "Довгота", sendLocation: "Надіслати геопозицію", shareContact: "Поділитися контактом",
      edited: "змінено", silent: "🔕 без звуку", choosePersona: "Оберіть або створіть персону", noPersonas: "Персон поки немає",
      block: "Заблокувати бота", unblock: "Розблокувати", blockedNote: "Ви заблокували бота",
      commands: "Команди", close: "Закрити", empty: "Повідомлень поки немає. Надішліть боту /start.",
      locationLabel: "Геопозиція", contactLabel: "Контакт", photoLabel: "Фото", fileLabel: "Файл",
      errorPrefix: "Помилка", nameRequired: "Введіть ім'я", phoneRequired: "Введіть номер телефону",
      idLabel: "id"
    }
  };
  var LANG = (function () {
    var langs = (navigator.languages && navigator.languages.length ? navigator.languages : [navigator.language || "en"]);
    for (var i = 0; i < langs.length; i++) {
      var code = String(langs[i] || "").toLowerCase().slice(0, 2);
      if (I18N[code]) return code;
    }
    return "en";
  })();
  function t(key) { return (I18N[LANG] && I18N[LANG][key]) || I18N.en[key] || key; }

  // ---- tiny DOM helpers ---------------------------------------------------------------------------------------
  function $(id) { return document.getElementById(id); }
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") node.textContent = attrs[k];
        else if (k === "className") node.className = attrs[k];
        else if (k.slice(0, 2) === "on") node.addEventListener(k.slice(2), attrs[k]);
        else node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) { if (c) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }

  function applyI18n() {
    document.documentElement.lang = LANG;
    document.title = t("title");
    document.querySelectorAll("[data-i18n]").forEach(function (n) { n.textContent = t(n.getAttribute("data-i18n")); });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (n) {
      n.setAttribute("placeholder", t(n.getAttribute("data-i18n-placeholder")));
    });
    document.querySelectorAll("[data-i18n-title]").forEach(function (n) {
      var s = t(n.getAttribute("data-i18n-title"));
      n.setAttribute("title", s);
      n.setAttribute("aria-label", s);
    });
    $("np-lang").value = LANG;
  }

  // ---- API ----------------------------------------------------------------------------------------------------
  function api(method, path, body, isForm) {
    // The page calls the API with the panel's session cookie; the server takes a state-changing call made with
    // the cookie only with this header, which a form on another site cannot add.
    var opts = { method: method, headers: { "X-Requested-With": "estafeta-sandbox" }, credentials: "same-origin" };
    if (body !== undefined) {
      if (isForm) opts.body = body;
      else { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    }
    return fetch(API + path, opts).then(function (r) {
      return r.text().then(function (txt) {
        var data = null;
        try { data = txt ? JSON.parse(txt) : null; } catch (e) { data = null; }
        if (!r.ok) throw new Error((data && (data.error || data.description)) || (r.status + " " + r.statusText));
        return data;
      });
    });
  }

  // ---- toasts / alerts ----------------------------------------------------------------------------------------
  var toastTimer = null;
  function toast(text, isError) {
    var node = $("toast");
    node.textContent = isError ? t("errorPrefix") + ": " + text : text;
    node.className = "toast" + (isError ? " error" : "");
    node.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(function () { node.hidden = true; }, isError ? 5000 : 2600);
  }
  function showAlert(text) { $("alert-text").textContent = text; $("alert").hidden = false; $("alert-ok").focus(); }
  function fail(err) { toast(err && err.message ? err.message : String(err), true); }

  // ---- state --------------------------------------------------------------------------------------------------
  var S = { users: [], current: null, seq: 0, nodes: {}, seenAnswers: {}, pollTimer: null, polling: false, first: true };
  var COLORS = ["#e17076", "#7bc862", "#65aadd", "#a695e7", "#ee7aae", "#6ec9cb", "#faa774"];

  function avatar(user) {
    var letter = (user.first_name || user.name || "?").charAt(0).toUpperCase();
    return el("span", { className: "avatar", style: "background:" + COLORS[user.id % COLORS.length], text: letter });
  }

  function renderPersonas() {
    var list = $("personas");
    list.textContent = "";
    $("no-personas").hidden = S.users.length > 0;
    S.users.forEach(function (u) {
      var sub = u.language_code + (u.role ? " · " + u.role : "") + (u.phone ? " · " + u.phone : "");
      var btn = el("button", {
        type: "button", className: S.current && S.current.id === u.id ? "active" : "",
        "data-user-id": String(u.id),
        onclick: function () { selectUser(u.id); }
      }, [avatar(u), el("span", { className: "persona-meta" }, [el("strong", { text: u.name }), el("span", { className: "muted", text: sub })])]);
      list.appendChild(el("li", null, [btn]));
    });
  }

  function loadUsers() {
    return api("GET", "/users").then(function (users) {
      S.users = users || [];
      if (S.current) {
        var fresh = S.users.filter(function (u) { return u.id === S.current.id; })[0];
        if (fresh) { S.current = fresh; updateHeader(); }
      }
      renderPersonas();
    });
  }

  function loadRoles() {
    return api("GET", "/roles").then(function (roles) {
      if (!roles || !roles.length) return;
      var select = $("np-role");
      select.textContent = "";
      select.appendChild(el("option", { value: "", text: t("noRole") }));
      roles.forEach(function (r) {
        var value = typeof r === "string" ? r : (r.id || r.value || r.code || r.name);
        var label = typeof r === "string" ? r : (r.label || r.name || r.title || value);
        select.appendChild(el("option", { value: String(value), text: String(label) }));
      });
      $("np-role-label").hidden = false;
    }).catch(function () { /* roles are optional */ });
  }

  function updateHeader() {
    var u = S.current;
    $("chat-name").textContent = u ? u.name : t("choosePersona");
    $("chat-sub").textContent = u ? t("idLabel") + " " + u.id + " · " + u.language_code + (u.phone ? " · " + u.phone : "") : "";
    $("block-btn").hidden = !u;
    $("block-btn").textContent = u && u.blocked ? t("unblock") : t("block");
    $("blocked-banner").hidden = !(u && u.blocked);
    $("composer").classList.toggle("disabled", !u || !!u.blocked);
    $("contact-phone").value = (u && u.phone) || "";
  }

  function selectUser(id) {
    var u = S.users.filter(function (x) { return x.id === id; })[0];
    if (!u) return;
    S.current = u;
    S.seq = 0;
    S.nodes = {};
    S.seenAnswers = {};
    S.first = true;
    $("messages").textContent = "";
    $("reply-keyboard").hidden = true;
    try { localStorage.setItem("sandbox-persona", String(id)); } catch (e) { /* private mode */ }
    $("app").classList.remove("sidebar-open");
    updateHeader();
    renderPersonas();
    poll();
  }

  // ---- rendering messages -------------------------------------------------------------------------------------
  function fmtTime(ts) {
    var d = new Date((ts || 0) * 1000);
    return ("0" + d.getHours()).slice(-2) + ":" + ("0" + d.getMinutes()).slice(-2);
  }

  function renderBody(m) {
    var bubble = el("div", { className: "bubble" });
    if (m.photo) {
      bubble.appendChild(el("img", { src: m.photo.url, alt: t("photoLabel"), loading: "lazy" }));
    }
    ["document", "video", "audio"].forEach(function (kind) {
      var f = m[kind];
      if (!f) return;
      bubble.appendChild(el("a", { className: "file", href: f.url, target: "_blank", rel: "noopener" }, [
        el("span", { className: "file-icon", text: kind === "video" ? "🎬" : kind === "audio" ? "🎵" : "📄" }),
        el("span", null, [el("strong", { text: f.file_name || t("fileLabel") }), el("br"),
          el("span", { className: "muted", text: (f.mime_type || "") + (f.file_size ? " · " + Math.ceil(f.file_size / 1024) + " KB" : "") })])
      ]));
    });
    if (m.location) {
      bubble.appendChild(el("div", { text: "📍 " + t("locationLabel") + ": " + m.location.latitude + ", " + m.location.longitude }));
    }
    if (m.contact) {
      bubble.appendChild(el("div", { text: "📇 " + t("contactLabel") + ": " + (m.contact.first_name || "") + " " + (m.contact.phone_number || "") }));
    }
    var text = m.text != null ? m.text : m.caption;
    if (text) {
      var span = el("div", { className: "text" });
      // `html` is produced by the sandbox from Telegram entities: escaped text + whitelisted tags only.
      if (typeof m.html === "string") span.innerHTML = m.html; else span.textContent = text;
      bubble.appendChild(span);
    }
    bubble.appendChild(el("div", { className: "meta", text: (m.silent ? t("silent") + " · " : "") + (m.edited ? t("edited") + " · " : "") + fmtTime(m.date) }));
    return bubble;
  }

  function renderInlineKeyboard(m) {
    if (!m.inline_keyboard || !m.inline_keyboard.length) return null;
    var box = el("div", { className: "inline-kb" });
    m.inline_keyboard.forEach(function (row) {
      var r = el("div", { className: "row" });
      row.forEach(function (b) {
        if (b.url) {
          r.appendChild(el("a", { href: b.url, target: "_blank", rel: "noopener noreferrer", text: b.text }));
        } else {
          r.appendChild(el("button", {
            type: "button", text: b.text, "data-callback": b.callback_data || "",
            onclick: function () { press(b.text, m.message_id); }
          }));
        }
      });
      box.appendChild(r);
    });
    return box;
  }

  function renderMessage(m) {
    var wrap = el("div", { className: "msg " + (m.from === "user" ? "user" : "bot"), "data-id": String(m.message_id) });
    wrap.appendChild(renderBody(m));
    var kb = renderInlineKeyboard(m);
    if (kb) wrap.appendChild(kb);
    return wrap;
  }

  function placeMessage(m) {
    var list = $("messages");
    var old = S.nodes[m.message_id];
    if (m.deleted) {
      if (old) { old.remove(); delete S.nodes[m.message_id]; }
      return;
    }
    var node = renderMessage(m);
    if (old) { list.replaceChild(node, old); S.nodes[m.message_id] = node; return; }
    var empty = list.querySelector(".day-empty");
    if (empty) empty.remove();
    var before = null;
    var children = list.children;
    for (var i = 0; i < children.length; i++) {
      if (Number(children[i].getAttribute("data-id")) > m.message_id) { before = children[i]; break; }
    }
    list.insertBefore(node, before);
    S.nodes[m.message_id] = node;
  }

  function renderReplyKeyboard(kb) {
    var box = $("reply-keyboard");
    box.textContent = "";
    if (!kb || !kb.keyboard || !kb.keyboard.length) { box.hidden = true; return; }
    kb.keyboard.forEach(function (row) {
      var r = el("div", { className: "row" });
      row.forEach(function (b) {
        var label = (b.request_contact ? "📇 " : b.request_location ? "📍 " : "") + b.text;
        r.appendChild(el("button", { type: "button", text: label, onclick: function () { press(b.text); } }));
      });
      box.appendChild(r);
    });
    if (kb.input_field_placeholder) $("text").setAttribute("placeholder", kb.input_field_placeholder);
    box.hidden = false;
  }

  var lastCommandsKey = "";
  function renderCommands(commands) {
    var key = JSON.stringify(commands || []);
    if (key === lastCommandsKey) return;
    lastCommandsKey = key;
    var panel = $("commands-panel");
    panel.textContent = "";
    $("commands-btn").hidden = !(commands && commands.length);
    (commands || []).forEach(function (c) {
      panel.appendChild(el("button", {
        type: "button", onclick: function () { panel.hidden = true; sendText("/" + c.command); }
      }, [el("b", { text: "/" + c.command }), c.description]));
    });
  }

  // ---- polling ------------------------------------------------------------------------------------------------
  function poll() {
    clearTimeout(S.pollTimer);
    if (!S.current) return;
    var user = S.current;
    S.polling = true;
    api("GET", "/users/" + user.id + "/chat?after=" + S.seq).then(function (data) {
      if (!S.current || S.current.id !== user.id) return;
      var list = $("messages");
      var nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
      (data.messages || []).forEach(placeMessage);
      if (S.first && !list.children.length) list.appendChild(el("div", { className: "day-empty", text: t("empty") }));
      if ((data.messages || []).length && (nearBottom || S.first)) list.scrollTop = list.scrollHeight;
      S.seq = data.seq;
      renderReplyKeyboard(data.reply_keyboard);
      renderCommands(data.commands);
      (data.callback_answers || []).forEach(function (a) {
        if (S.seenAnswers[a.id]) return;
        S.seenAnswers[a.id] = true;
        if (S.first || !a.text) return;
        if (a.show_alert) showAlert(a.text); else toast(a.text);
      });
      if (!!data.blocked !== !!user.blocked) { user.blocked = !!data.blocked; updateHeader(); }
      S.first = false;
    }).catch(function () { /* keep polling; server may restart */ }).then(function () {
      S.polling = false;
      S.pollTimer = setTimeout(poll, POLL_MS);
    });
  }
  function pollSoon() { if (!S.polling) { clearTimeout(S.pollTimer); S.pollTimer = setTimeout(poll, 60); } }

  // ---- actions ------------------------------------------------------------------------------------------------
  function userPath(action) { return "/users/" + S.current.id + "/" + action + "?wait=0"; }

  function sendText(text) {
    if (!S.current || !text) return Promise.resolve();
    return api("POST", userPath("send"), { text: text }).then(pollSoon).catch(fail);
  }

  function press(text, messageId) {
    if (!S.current) return;
    var body = { text: text, latitude: Number($("lat").value), longitude: Number($("lon").value) };
    if (messageId) body.message_id = messageId;
    api("POST", userPath("press"), body).then(pollSoon).catch(fail);
  }

  function sendFile(file) {
    if (!S.current || !file) return;
    var form = new FormData();
    var kind = /^image\/(jpeg|png|gif|webp)$/.test(file.type) ? "photo" : "document";
    form.append(kind, file, file.name);
    var caption = $("text").value.trim();
    if (caption) form.append("caption", caption);
    api("POST", userPath("send"), form, true).then(function () { $("text").value = ""; pollSoon(); }).catch(fail);
  }

  function togglePanel(id) {
    ["location-panel", "contact-panel", "commands-panel"].forEach(function (p) {
      $(p).hidden = p === id ? !$(p).hidden : true;
    });
  }

  function bind() {
    $("composer").addEventListener("submit", function (e) {
      e.preventDefault();
      var input = $("text");
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      sendText(text);
    });
    $("attach-btn").addEventListener("click", function () { $("file-input").click(); });
    $("file-input").addEventListener("change", function (e) {
      var f = e.target.files && e.target.files[0];
      sendFile(f);
      e.target.value = "";
    });
    $("location-btn").addEventListener("click", function () { togglePanel("location-panel"); });
    $("contact-btn").addEventListener("click", function () { togglePanel("contact-panel"); });
    $("commands-btn").addEventListener("click", function () { togglePanel("commands-panel"); });
    $("send-location").addEventListener("click", function () {
      var lat = Number($("lat").value), lon = Number($("lon").value);
      api("POST", userPath("send"), { location: { latitude: lat, longitude: lon } })
        .then(function () { togglePanel(null); pollSoon(); }).catch(fail);
    });
    $("send-contact").addEventListener("click", function () {
      var phone = $("contact-phone").value.trim();
      if (!phone) { toast(t("phoneRequired"), true); return; }
      api("POST", userPath("send"), { contact: { phone_number: phone } })
        .then(function () { togglePanel(null); pollSoon(); }).catch(fail);
    });
    $("block-btn").addEventListener("click", function () {
      if (!S.current) return;
      var action = S.current.blocked ? "unblock" : "block";
      api("POST", "/users/" + S.current.id + "/" + action).then(loadUsers).catch(fail);
    });
    $("unblock-btn").addEventListener("click", function () {
      if (!S.current) return;
      api("POST", "/users/" + S.current.id + "/unblock").then(loadUsers).catch(fail);
    });
    $("new-persona").addEventListener("submit", function (e) {
      e.preventDefault();
      var name = $("np-name").value.trim();
      if (!name) { toast(t("nameRequired"), true); return; }
      var body = { name: name, language_code: $("np-lang").value };
      var phone = $("np-phone").value.trim();
      if (phone) body.phone = phone;
      var role = $("np-role-label").hidden ? "" : $("np-role").value;
      if (role) body.role = role;
      $("np-create").disabled = true;
      api("POST", "/users", body).then(function (user) {
        $("np-name").value = "";
        $("np-phone").value = "";
        return loadUsers().then(function () { selectUser(user.id); });
      }).catch(fail).then(function () { $("np-create").disabled = false; });
    });
    $("open-sidebar").addEventListener("click", function () { $("app").classList.add("sidebar-open"); });
    $("close-sidebar").addEventListener("click", function () { $("app").classList.remove("sidebar-open"); });
    $("alert-ok").addEventListener("click", function () { $("alert").hidden = true; });
    $("toast").addEventListener("click", function () { $("toast").hidden = true; });
  }

  function start() {
    applyI18n();
    bind();
    updateHeader();
    loadRoles();
    loadUsers().then(function () {
      var saved = null;
      try { saved = Number(localStorage.getItem("sandbox-persona")); } catch (e) { saved = null; }
      if (saved && S.users.some(function (u) { return u.id === saved; })) selectUser(saved);
      else if (S.users.length === 1) selectUser(S.users[0].id);
    }).catch(fail);
    setInterval(function () { loadUsers().catch(function () {}); }, 5000);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
