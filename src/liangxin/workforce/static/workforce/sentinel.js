// 流动哨兵: offer the browser's location (only when the rider taps the button and allows it).
document.addEventListener("DOMContentLoaded", function () {
  var button = document.getElementById("use-location");
  if (!button || !("geolocation" in navigator)) return;
  var state = document.getElementById("location-state");
  button.hidden = false;
  button.addEventListener("click", function () {
    state.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
        document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
        state.textContent = "已附带当前位置";
      },
      function () { state.textContent = "未能获取位置，请在“具体地点”中填写"; },
      { timeout: 10000 }
    );
  });
});
