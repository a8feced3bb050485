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
// Establish Phoenix Socket connections (LiveView is left out of this app).
import {Socket} from "phoenix"

let socket = new Socket("/socket", {params: {_csrf_token: document.querySelector("meta[name='csrf-token']").getAttribute("content")}})

// expose socket on window for web console debug logs and latency simulation:
// >> socket.enableDebug()
window.socket = socket
