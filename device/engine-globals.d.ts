// Globals every target engine provides (Espruino built-ins; on JerryScript the firmware adds them by
// calling tinysense_timers_init, kernels-c/jerryscript/tinysense_timers.c),
// which the ES5 library that device/ is checked against does not declare.
declare function setInterval(callback: () => void, ms: number): number;
declare function setTimeout(callback: () => void, ms: number): number;
declare function clearInterval(id?: number): void;
declare function clearTimeout(id?: number): void;
