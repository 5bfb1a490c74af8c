// Replaces the panel's sections with what the extension rendered (trusted SVG and HTML made by
// Draftstop itself), keeping the scroll position; no other script runs in the panel.
(function () {
  const vscode = acquireVsCodeApi();
  window.addEventListener("message", event => {
    const message = event.data;
    if (!message || message.kind !== "render") return;
    for (const [id, html] of Object.entries(message.sections)) {
      const element = document.getElementById(id);
      if (element) element.innerHTML = html;
    }
    document.body.dataset.rendered = String(message.sequence);
    vscode.setState({sequence: message.sequence});
  });
  vscode.postMessage({kind: "ready"});
})();
