"""Re-measures every shipped model with `melgenre eval --format json` on the held-out tree and writes
models/card.json (training figures from the last train_all run + the held-out results).
usage: eval_card.py CLI MODELS_DIR HELDOUT_DIR WORK_DIR"""
import json
import os
import subprocess
import sys
import time


def main():
    cli, models, heldout, work = sys.argv[1:5]
    with open(os.path.join(work, "summary.json")) as f:
        card = json.load(f)
    card["heldout"] = {}
    for name in sorted(card["file_bytes"]):
        path = os.path.join(models, name)
        t = time.time()
        r = subprocess.run([cli, "eval", "--format", "json", "--model", path, heldout],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            res = json.loads(r.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            print("eval %s failed (exit %d): %s" % (name, r.returncode, r.stderr.strip()[-500:]), flush=True)
            continue
        res["seconds"] = round(time.time() - t, 1)
        card["heldout"][name] = res
        print("%s: accuracy %s on %s tracks (%.0f s)" % (name, res.get("accuracy"), res.get("tracks"),
                                                          res["seconds"]), flush=True)
    card["heldout_command"] = "melgenre eval --format json --model models/<file> ../shared/data/gtzan-mini/genres"
    with open(os.path.join(models, "card.json"), "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    print("wrote", os.path.join(models, "card.json"))
    readme = os.path.join(models, "README.md")
    if os.path.exists(readme):
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import card
        card.main(os.path.join(models, "card.json"), readme)
        print("refreshed the tables of", readme)


if __name__ == "__main__":
    main()
