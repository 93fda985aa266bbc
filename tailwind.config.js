/** @type {import('tailwindcss').Config} */
module.exports = {
  content: ["./views/**/*.html", "./app/**/*.go", "./static/js/app.js"],
  theme: { extend: {} },
  plugins: [],
};
