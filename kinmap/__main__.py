from kinmap.cli import main

main()
