// Drag-and-drop upload for the desk: one request per file, results listed,
// then the status board is refreshed. Without script the form posts as usual.
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });

  var drop = document.getElementById("drop");
  if (!drop) return;
  var input = document.getElementById("file-input");
  var results = document.getElementById("results");
  var board = document.getElementById("board");
  var maxBytes = parseInt(drop.getAttribute("data-max"), 10);
  var allowed = [".docx", ".docm", ".doc", ".wps", ".odt"];
  var queue = Promise.resolve();
  var pending = 0;

  function item(name, text, level) {
    var li = document.createElement("li");
    li.className = level;
    li.textContent = name + "：" + text;
    results.insertBefore(li, results.firstChild);
    return li;
  }

  function show(li, name, text, level) {
    li.className = level;
    li.textContent = name + "：" + text;
  }

  function refreshBoard() {
    return fetch(drop.getAttribute("data-board"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (html) { board.innerHTML = html; })
      .catch(function () { window.location.reload(); });
  }

  function upload(file) {
    var lower = file.name.toLowerCase();
    var ok = allowed.some(function (s) { return lower.slice(-s.length) === s; });
    if (!ok) {
      item(file.name, "未保存：只接收 " + allowed.join("、") + " 文件", "error");
      return Promise.resolve();
    }
    if (file.size > maxBytes) {
      item(file.name, "未保存：超过 " + Math.round(maxBytes / 1048576) + " MB", "error");
      return Promise.resolve();
    }
    var li = item(file.name, "正在上传和识别……", "busy");
    var data = new FormData();
    data.append("files", file, file.name);
    return fetch(drop.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { Accept: "application/json" }
    })
      .then(function (r) {
        if (!r.ok) return Promise.reject("服务器返回 " + r.status);
        return r.json();
      })
      .then(function (body) {
        var res = body.results[0];
        show(li, file.name, res ? res.message : "没有收到文件", res ? res.level : "error");
      })
      .catch(function (why) {
        show(li, file.name, "上传失败（" + why + "），请重试", "error");
      });
  }

  function handle(files) {
    Array.prototype.forEach.call(files, function (file) {
      pending += 1;
      queue = queue.then(function () { return upload(file); }).then(function () {
        pending -= 1;
        if (pending === 0) {
          return refreshBoard().then(function () {
            // Counts finished batches (tests and people can tell the board is current).
            var done = parseInt(drop.getAttribute("data-batches") || "0", 10) + 1;
            drop.setAttribute("data-batches", String(done));
          });
        }
      });
    });
  }

  ["dragenter", "dragover"].forEach(function (type) {
    drop.addEventListener(type, function (event) {
      event.preventDefault();
      drop.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    drop.addEventListener(type, function (event) {
      event.preventDefault();
      drop.classList.remove("over");
    });
  });
  drop.addEventListener("drop", function (event) {
    if (event.dataTransfer && event.dataTransfer.files.length) handle(event.dataTransfer.files);
  });
  input.addEventListener("change", function () {
    if (input.files.length) handle(input.files);
    input.value = "";
  });
  // Dropping a file elsewhere on the page must not make the browser open it.
  ["dragover", "drop"].forEach(function (type) {
    window.addEventListener(type, function (event) { event.preventDefault(); });
  });
  // The page is usable before this script has run; say when uploads are wired up.
  drop.setAttribute("data-ready", "1");
})();
