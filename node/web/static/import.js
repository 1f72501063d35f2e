// Progressive enhancement of the import form (/import): the page works
// without it (the node answers with a page listing each object imported or
// refused); with it, a progress bar shows how much of the file is sent,
// then the node's answer replaces the page.
(function () {
  "use strict";
  var form = document.getElementById("import-form");
  if (!form || !window.FormData || !window.XMLHttpRequest) { return; }
  var bar = document.getElementById("import-progress");
  var status = document.getElementById("import-status");
  form.addEventListener("submit", function (ev) {
    if (!form.checkValidity()) { return; }
    ev.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.upload.onprogress = function (e) {
      if (!e.lengthComputable) { return; }
      bar.hidden = false;
      bar.max = e.total;
      bar.value = e.loaded;
      status.textContent = Math.round(100 * e.loaded / e.total) + " %";
    };
    xhr.upload.onload = function () { status.textContent = form.getAttribute("data-importing"); };
    xhr.onload = function () {
      document.open();
      document.write(xhr.responseText);
      document.close();
    };
    xhr.onerror = function () { form.submit(); };
    xhr.send(new FormData(form));
  });
})();
