// If you want to use Phoenix channels, run `mix help phx.gen.channel`
// to get started and then uncomment the line below.
// import "./user_socket.js"

// You can include dependencies in two ways.
//
// The simplest option is to put them in assets/vendor and
// import them using relative paths:
//
//     import "../vendor/some-package.js"
//
// Alternatively, you can `npm install some-package --prefix assets` and import
// them using a path starting with the package name:
//
//     import "some-package"
//

// Include phoenix_html to handle method=PUT/DELETE in forms and buttons.
import "phoenix_html"
// A package from npm (assets/package.json).
import topbar from "topbar"
// Establish Phoenix Socket connections (LiveView is left out of this app).
import {Socket} from "phoenix"

let socket = new Socket("/socket", {params: {_csrf_token: document.querySelector("meta[name='csrf-token']").getAttribute("content")}})

// expose socket on window for web console debug logs and latency simulation:
// >> socket.enableDebug()
window.socket = socket

// Show progress bar on live navigation and form submits
topbar.config({barColors: {0: "#29d"}, shadowColor: "rgba(0, 0, 0, .3)"})
window.addEventListener("phx:page-loading-start", _info => topbar.show(300))
window.addEventListener("phx:page-loading-stop", _info => topbar.hide())
