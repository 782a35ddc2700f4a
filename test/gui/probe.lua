-- Loaded into the real Wireshark GUI by test/gui-test.sh (-X lua_script:...).
-- Reports what the GUI's display filter lets through, as frame numbers, into
-- $RSTDIAG_GUI_OUT/frames.txt (written atomically, one "key: value" a line):
--   field:    whether the rstdiag fields are registered (the plugin loaded)
--   startup:  the frames that passed the -Y filter while Wireshark read the
--             file (its first pass, before the whole capture is known)
--   applied:  the frames that pass the same filter applied again to the loaded
--             file, as when the user presses Enter in the filter bar
--   done:     the script reached its end
-- A Listener with the very filter of the display filter sees each packet of
-- the same dissection that decides whether the packet list shows it.
local out = os.getenv("RSTDIAG_GUI_OUT")
local filter = os.getenv("RSTDIAG_GUI_FILTER")
if not out or not filter then return end

dofile(os.getenv("HOME") .. "/report.lua")
local say = report_to(out)

if not gui_enabled() then say("error", "not running in the GUI") return end

local ok, err = pcall(Field.new, "rstdiag.cause")
say("field", ok and "rstdiag.cause" or ("missing (" .. tostring(err) .. ")"))
if not ok then say("done", "no plugin") return end

local listener = Listener.new(nil, filter)
local frames, passes = {}, 0
local stage = "startup"

function listener.reset()
    passes = passes + 1
    frames = {}
end

function listener.packet(pinfo)
    frames[#frames + 1] = pinfo.number
end

-- draw() runs when a pass over the file has finished: after reading it, and
-- after each rescan of the packet list.
function listener.draw()
    if stage == "startup" then
        say("startup", table.concat(frames, " "))
        stage = "applied"
        -- Queued by the GUI: the rescan runs after this callback returns.
        set_filter(filter)
        apply_filter()
    elseif stage == "applied" and passes >= 2 then
        say("applied", table.concat(frames, " "))
        stage = "finished"
        say("done", "passes " .. passes)
    end
end
