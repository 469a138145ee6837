document.body.classList.add("added-by-script");
const built = `dyn-${"built"}`;
