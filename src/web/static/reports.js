// The reports page's print button (the page's scripts come from here: no inline scripts).
document.querySelectorAll('[data-print]').forEach((b) => b.addEventListener('click', () => window.print()));
